import { createRequire } from "node:module";
import type { Writable } from "node:stream";
import type { Logger } from "pino";

export type { Logger };

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * pino to stderr: JSON lines when stderr is not a terminal (CI, cron, containers), readable lines on a terminal.
 * pino-pretty runs in-process and loads only on a TTY (the worker-thread transport breaks inside a bundle). pino
 * itself loads here, when a command that logs starts: `--help`, `rules` and `explain` never load it.
 */
export async function createLogger(options: {
  level: LogLevel;
  pretty: boolean;
  stream?: Writable;
}): Promise<Logger> {
  const { default: pino } = await import("pino");
  const base = {
    name: "ecs-preflight",
    level: options.level,
    // Credentials and documents never belong in logs, whatever a caller passes in.
    redact: {
      paths: [
        "credentials",
        "*.credentials",
        "secretAccessKey",
        "sessionToken",
        "*.SessionToken",
        "document",
        "*.document",
      ],
      censor: "[redacted]",
    },
  };
  const destination = options.stream ?? pino.destination({ fd: 2, sync: true });
  if (options.pretty) {
    const pretty = loadPretty();
    if (pretty) {
      return pino(
        base,
        pretty({
          destination,
          colorize: true,
          ignore: "pid,hostname,name",
          translateTime: "HH:MM:ss",
          sync: true,
        }),
      );
    }
  }
  return pino(base, destination);
}

/** pino-pretty, when installed: the container image ships the bundle alone, and JSON logs are fine there. */
function loadPretty(): typeof import("pino-pretty").build | undefined {
  try {
    return createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty").build;
  } catch {
    return undefined;
  }
}
