#!/usr/bin/env node
import { main } from "./main.ts";

// The AWS SDK warns on every run under Node 20 that its 2027 releases need Node 22. The README says so once;
// repeating it on stderr would bury the tool's own logs in every CI job and cron run.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  if (String(warning).startsWith("NodeVersionSupportWarning")) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

process.exitCode = await main(process.argv.slice(2));
