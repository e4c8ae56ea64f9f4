import { Command, Option } from "commander";
import type { Logger } from "../../log.ts";
import type { Io } from "../io.ts";
import { awsOptions, reportOptions } from "../options.ts";
import type { MergeFlags } from "./merge-run.ts";

/** The `merge` command: its flags and help. What it runs loads when it runs (./merge-run.ts). */
export function mergeCommand(
  io: Io,
  logFor: (cmd: Command) => Promise<Logger>,
  setExit: (code: number) => void,
): Command {
  const cmd = new Command("merge")
    .summary("merge JSON reports of separate runs (files or s3://bucket/prefix/) into one")
    .description(
      "Combines the JSON reports of runs over separate targets (a fan-out's tasks) into one report: targets and\n" +
        "findings combined, summary and verdict recomputed; exits as a check over all of them would.",
    )
    .argument("<reports...>", "JSON report files, or s3://bucket/prefix/ (every .json object under it)");
  // The report flags of check (--format, --output, --report, --emf, --redact); --fail-on defaults to the reports'.
  for (const o of reportOptions().filter((o) => !["--config", "--fail-on"].includes(o.long ?? "")))
    cmd.addOption(o);
  cmd.addOption(
    new Option(
      "--fail-on <status>",
      "lowest status that fails (default: the strictest of the reports)",
    ).choices(["fail", "warn"]),
  );
  cmd.option(
    "--expect <targets>",
    "the targets list the fan-out started from (a file or s3://bucket/key): a target without a report is unknown",
  );
  for (const o of awsOptions()) cmd.addOption(o);
  cmd.action(async (sources: string[], flags: MergeFlags, command: Command) => {
    const log = await logFor(command);
    const { mergeAction } = await import("./merge-run.ts");
    await mergeAction(sources, flags, io, log, setExit);
  });
  return cmd;
}
