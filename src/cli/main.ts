import { Command, CommanderError } from "commander";
import { InputError, UndecidedError } from "../errors.ts";
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from "../log.ts";
import { VERSION } from "../version.ts";
import { checkCommand } from "./commands/check.ts";
import { mergeCommand } from "./commands/merge.ts";
import { explainCommand, rulesCommand } from "./commands/rules.ts";
import { snapshotCommand } from "./commands/snapshot.ts";
import { stopCommand } from "./commands/stop.ts";
import { targetsCommand } from "./commands/targets.ts";
import { waitCommand } from "./commands/wait.ts";
import { EXIT_CODES_HELP } from "./exit-codes-help.ts";
import { type Io, processIo } from "./io.ts";
import { globalOptions } from "./options.ts";

function logLevel(flag: string | undefined, io: Io): LogLevel {
  const fromEnv = io.env.ECS_PREFLIGHT_LOG_LEVEL;
  if (!flag && fromEnv && !(LOG_LEVELS as readonly string[]).includes(fromEnv)) {
    throw new InputError(
      `ECS_PREFLIGHT_LOG_LEVEL: expected one of ${LOG_LEVELS.join(", ")}, got "${fromEnv}"`,
    );
  }
  return (flag ?? fromEnv ?? (io.stderr.isTTY ? "warn" : "info")) as LogLevel;
}

/** Runs the CLI; resolves to the exit code (0 safe, 1 unsafe, 2 usage/input error, 3 undecided). */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let exitCode = 0;
  let log: Logger | undefined;
  // Each command's action creates its logger first (a bad ECS_PREFLIGHT_LOG_LEVEL is its first usage error).
  const logFor = async (cmd: Command): Promise<Logger> => {
    const opts = cmd.optsWithGlobals() as { logLevel?: string };
    log = await createLogger({
      level: logLevel(opts.logLevel, io),
      pretty: Boolean(io.stderr.isTTY),
      ...(io.stderr === process.stderr ? {} : { stream: io.stderr }),
    });
    return log;
  };
  const program = new Command("ecs-preflight")
    .description(
      "Is it safe to stop ECS tasks that carry ECS-managed EBS volumes right now? If not, why, and how to fix it.\n" +
        "Reads AWS and never changes it (the stop command's StopTask aside).",
    )
    .addHelpText("after", EXIT_CODES_HELP)
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();
  for (const o of globalOptions()) program.addOption(o);
  const setExit = (code: number) => {
    exitCode = code;
  };
  for (const cmd of [
    checkCommand(io, logFor, setExit),
    snapshotCommand(io, logFor),
    stopCommand(io, logFor, setExit),
    targetsCommand(io, logFor),
    mergeCommand(io, logFor, setExit),
    waitCommand(io, logFor, setExit),
    rulesCommand(io),
    explainCommand(io),
  ]) {
    cmd
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
    cmd.showSuggestionAfterError(true);
    program.addCommand(cmd);
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every other parse problem is a usage error (commander already printed it).
      if (
        err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.code === "commander.help"
      )
        return 0;
      if (err.code === "commander.executeSubCommandAsync") return 2;
      return 2;
    }
    if (err instanceof InputError) {
      io.stderr.write(`ecs-preflight: error: ${err.message}\n`);
      return 2;
    }
    if (err instanceof UndecidedError) {
      io.stderr.write(`ecs-preflight: could not decide: ${err.message}\n`);
      return 3;
    }
    const message = err instanceof Error ? err.message : String(err);
    log?.debug({ err }, "internal error");
    io.stderr.write(
      `ecs-preflight: internal error: ${message}\n(this is a bug; run with --log-level debug for details and report it)\n`,
    );
    return 3;
  }
}
