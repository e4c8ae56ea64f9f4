import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { InputError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { combineParts, partsOf } from "../../report/combine.ts";
import { FORMATS, type Format } from "../../report/index.ts";
import type { Report } from "../../report/types.ts";
import { type AwsFlags, resolveAwsSettings } from "../aws-settings.ts";
import type { Io } from "../io.ts";
import { awsOptions } from "../options.ts";
import { emitReport } from "./check.ts";

interface MergeFlags extends AwsFlags {
  format: Format;
  output?: string;
  failOn?: "fail" | "warn";
  color?: boolean;
  redact?: boolean;
}

/** The reports a source names: a JSON file, or every .json object under an s3://bucket/prefix/ (every page). */
async function readSource(source: string, flags: MergeFlags, io: Io): Promise<Report[]> {
  // Ajv and the report schema load only for merge.
  const { parseReport } = await import("../../report/read.ts");
  if (source.startsWith("s3://")) {
    const { parseS3Url, readReports } = await import("../../collect/s3.ts");
    const at = parseS3Url(source);
    if (!at) throw new InputError(`${source}: expected s3://bucket/prefix/`);
    const aws = await resolveAwsSettings(flags, io.env, io.aws);
    let objects: { key: string; body: string }[];
    try {
      objects = await readReports(aws, at);
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new InputError(
        `${source}: cannot read the reports (${e.name ?? "Error"}: ${e.message ?? String(err)}; merge needs s3:ListBucket and s3:GetObject)`,
      );
    }
    if (!objects.length) throw new InputError(`${source}: no .json report under this prefix`);
    return objects.map((o) => parseReport(o.body, `s3://${at.bucket}/${o.key}`));
  }
  let text: string;
  try {
    text = await readFile(source, "utf8");
  } catch (err) {
    throw new InputError(
      `${source}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  return [parseReport(text, source)];
}

/** Many reports (separate runs, one per target) as one: targets and findings combined, summary and verdict recomputed. */
export function mergeReports(reports: readonly Report[], failOn?: "fail" | "warn"): Report {
  const [first] = reports;
  if (!first) throw new InputError("merge: no report given");
  const starts = reports.map((r) => Date.parse(r.startedAt));
  const ends = reports.map((r) => Date.parse(r.startedAt) + r.durationMs);
  const start = Math.min(...starts);
  return combineParts(reports.flatMap(partsOf), {
    // The strictest gate any run was given, unless --fail-on says otherwise.
    failOn: failOn ?? (reports.some((r) => r.failOn === "warn") ? "warn" : "fail"),
    startedAt: new Date(start),
    durationMs: Math.max(...ends) - start,
    base: { ...first, collectedAt: reports.map((r) => r.collectedAt).sort()[0] ?? first.collectedAt },
  });
}

export function mergeCommand(
  io: Io,
  logFor: (cmd: Command) => Logger,
  setExit: (code: number) => void,
): Command {
  const cmd = new Command("merge")
    .summary("merge JSON reports of separate runs (files or s3://bucket/prefix/) into one")
    .description(
      "Combines the JSON reports of runs over separate targets (a fan-out's tasks) into one report: targets and\n" +
        "findings combined, summary and verdict recomputed; exits as a check over all of them would.",
    )
    .argument("<reports...>", "JSON report files, or s3://bucket/prefix/ (every .json object under it)");
  cmd.addOption(new Option("--format <format>", "report format").choices(FORMATS).default("text"));
  cmd.option("--output <file>", "write the merged report to a file or s3://bucket/key instead of stdout");
  cmd.addOption(
    new Option(
      "--fail-on <status>",
      "lowest status that fails (default: the strictest of the reports)",
    ).choices(["fail", "warn"]),
  );
  cmd.option("--redact", "mask account ids and resource names in the merged report");
  for (const o of awsOptions()) cmd.addOption(o);
  cmd.action(async (sources: string[], flags: MergeFlags, command: Command) => {
    const log = logFor(command);
    const reports: Report[] = [];
    for (const source of sources) reports.push(...(await readSource(source, flags, io)));
    const report = mergeReports(reports, flags.failOn);
    await emitReport(report, flags, io, log);
    log.info({ reports: reports.length, targets: report.targets?.length, verdict: report.verdict }, "merged");
    setExit(report.exitCode);
  });
  return cmd;
}
