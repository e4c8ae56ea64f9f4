#!/usr/bin/env node
import * as nodeModule from "node:module";
import { VERSION } from "../version.ts";
import { sizeModeFor } from "./memory-mode.ts";

// Node 22's on-disk compile cache makes every later start skip compiling the bundle (Node 20 has none: a no-op).
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// The AWS SDK warns on every run under Node 20 that its 2027 releases need Node 22. The README says so once;
// repeating it on stderr would bury the tool's own logs in every CI job and cron run.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning).startsWith("NodeVersionSupportWarning")) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

// `ecs-preflight rules | head -3`: a reader that hangs up early is not an error of ours, and never a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(process.exitCode ?? 0);
});

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // Scripts ask for the version often (and health checks in images): answer without loading the CLI.
  process.stdout.write(`${VERSION}\n`);
} else {
  // V8's memory-saving mode, from the first AWS request on (memory-mode.ts).
  sizeModeFor(argv);
  const { main } = await import("./main.ts");
  process.exitCode = await main(argv);
}
