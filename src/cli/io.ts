import type { Writable } from "node:stream";
import type { AwsSettings } from "../collect/clients.ts";

/** Where the CLI reads and writes; the real process in production, buffers in tests. */
export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  /** For tests and embedding: AWS settings that win over flags and environment (e.g. zero retry back-off). */
  aws?: Partial<AwsSettings>;
  /** Asks a yes/no question on the terminal (the stop command's confirmation). */
  confirm?(question: string): Promise<boolean>;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    confirm: askOnTerminal,
  };
}

/** Asks on the terminal (the prompt goes to stderr: stdout carries the report); only "y" or "yes" confirms. */
async function askOnTerminal(question: string): Promise<boolean> {
  // Loaded here: only `stop` asks, and a check's start-up need not pay for readline.
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/** Colour only for a terminal, never with NO_COLOR; FORCE_COLOR forces it (as most CLIs do). */
export function colorEnabled(io: Io, stream: "stdout" | "stderr", flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  if (flag === true) return true;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== "0") return true;
  return Boolean(io[stream].isTTY) && io.env.TERM !== "dumb";
}
