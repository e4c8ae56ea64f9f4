import { readFile } from "node:fs/promises";
import { rules } from "../../../rules/index.ts";
import type { Finding } from "../../engine/finding.ts";
import { InputError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { regionsUnreadFinding, TARGET_ACCESS_RULE, uncheckedPart } from "../../pipeline/target-access.ts";
import { combineParts, partsOf, sumCalls, type TargetPart } from "../../report/combine.ts";
import type { Format } from "../../report/formats.ts";
import type { Report } from "../../report/types.ts";
import type { Target } from "../../targets/account-regions.ts";
import { VERSION } from "../../version.ts";
import { type AwsFlags, resolveAwsSettings } from "../aws-settings.ts";
import type { Io } from "../io.ts";
import { checkDistinctFiles, type ReportFile } from "../report-files.ts";
import { emitReport } from "./check-run.ts";

export interface MergeFlags extends AwsFlags {
  report?: ReportFile[];
  emf?: boolean;
  expect?: string;
  format: Format;
  output?: string;
  failOn?: "fail" | "warn";
  color?: boolean;
  redact?: boolean;
}

/** The reports a source names: a JSON file, or every .json object under an s3://bucket/prefix/ (every page). */
async function readSource(source: string, flags: MergeFlags, io: Io): Promise<Report[]> {
  // Ajv and the report schema load only for merge.
  const { parseReport } = await import("../report-input.ts");
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
    // With --expect every target is accounted for anyway (a missing one is unknown); without it, none is an error.
    if (!objects.length && !flags.expect)
      throw new InputError(`${source}: no .json report under this prefix`);
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

/** The text of a file or of one s3://bucket/key object. */
async function readText(source: string, flags: MergeFlags, io: Io, flag: string): Promise<string> {
  if (source.startsWith("s3://")) {
    const { parseS3Url, readObject } = await import("../../collect/s3.ts");
    const at = parseS3Url(source);
    if (!at?.key) throw new InputError(`${flag} ${source}: expected s3://bucket/key`);
    try {
      return await readObject(await resolveAwsSettings(flags, io.env, io.aws), at);
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new InputError(
        `${flag} ${source}: cannot read it (${e.name ?? "Error"}: ${e.message ?? String(err)})`,
      );
    }
  }
  try {
    return await readFile(source, "utf8");
  } catch (err) {
    throw new InputError(
      `${flag} ${source}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}

/** An item's regionsUnread, when present, is the {api, code, message} `targets` wrote. */
function unreadOk(error: unknown): boolean {
  if (error === undefined) return true;
  const e = error as Record<string, unknown> | null;
  return (
    typeof e === "object" && e !== null && ["api", "code", "message"].every((k) => typeof e[k] === "string")
  );
}

/** `targets` output: [{account, region, roleArn?, regionsUnread?}]. */
function parseTargets(text: string, source: string): Target[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(`--expect ${source}: not JSON; expected the output of ecs-preflight targets`);
  }
  const ok = (t: unknown): t is Target =>
    typeof t === "object" &&
    t !== null &&
    typeof (t as Target).account === "string" &&
    typeof (t as Target).region === "string" &&
    unreadOk((t as Target).regionsUnread);
  if (!Array.isArray(value) || !value.every(ok))
    throw new InputError(
      `--expect ${source}: expected a JSON array of {account, region} (the output of ecs-preflight targets)`,
    );
  return value;
}

/** A target the fan-out started but whose report never arrived: unknown, never silently left out. */
function missingPart(target: Target): TargetPart {
  const error = {
    api: "merge",
    code: "NoReport",
    message: "no report from this target's run (its task failed or wrote nowhere)",
  };
  const finding: Finding = {
    rule: TARGET_ACCESS_RULE,
    status: "unknown",
    resource: target.roleArn ?? `${target.account}/${target.region}`,
    message: `Could not check account ${target.account} in ${target.region}: ${error.message}.`,
    details: { account: target.account, region: target.region, ...error },
    remediation: "Look at that target's task logs (the check prints why it stopped) and run it again.",
    account: target.account,
    region: target.region,
  };
  return uncheckedPart(target, error, finding, 0);
}

/** Many reports (separate runs, one per target) as one: targets and findings combined, summary and verdict recomputed. */
export function mergeReports(
  reports: readonly Report[],
  failOn?: "fail" | "warn",
  expected: readonly Target[] = [],
): Report {
  const [first] = reports;
  if (!first && !expected.length) throw new InputError("merge: no report given");
  const now = Date.now();
  const starts = reports.map((r) => Date.parse(r.startedAt));
  const ends = reports.map((r) => Date.parse(r.startedAt) + r.durationMs);
  const start = starts.length ? Math.min(...starts) : now;
  const parts = reports.flatMap(partsOf);
  const have = new Set(parts.map((p) => `${p.target.account}/${p.target.region}`));
  const missing = expected.filter((t) => !have.has(`${t.account}/${t.region}`)).map(missingPart);
  // An account whose Regions `targets` could not list: its Regions beyond the list are unchecked, so it is unknown.
  const unread = new Map(
    expected.flatMap((t) => (t.regionsUnread ? [[`${t.account}/${t.region}`, t] as const] : [])),
  );
  const withUnread = [...missing, ...parts].map((part) => {
    const t = unread.get(`${part.target.account}/${part.target.region}`);
    return t?.regionsUnread && !part.target.error
      ? { ...part, findings: [...part.findings, regionsUnreadFinding(t, t.regionsUnread)] }
      : part;
  });
  const merged = combineParts(withUnread, {
    // The strictest gate any run was given, unless --fail-on says otherwise.
    failOn: failOn ?? (reports.some((r) => r.failOn === "warn") ? "warn" : "fail"),
    startedAt: new Date(start),
    durationMs: ends.length ? Math.max(...ends) - start : 0,
    rules,
    base: {
      tool: first?.tool ?? { name: "ecs-preflight", version: VERSION },
      scope: first?.scope ?? { clusters: [], services: [], tasks: [], roles: [], source: "aws" },
      collectedAt: reports.map((r) => r.collectedAt).sort()[0] ?? new Date(now).toISOString(),
    },
  });
  // Each run's own total, which holds its fan-out's calls (organization reads, AssumeRole) beside its targets'.
  const totals = reports.map(
    (r) => r.aws ?? (r.targets?.some((t) => t.aws) ? sumCalls(r.targets.map((t) => t.aws)) : undefined),
  );
  return totals.some(Boolean) ? { ...merged, aws: sumCalls(totals) } : merged;
}

/** `merge`'s action (./merge.ts defines the command): read the reports, merge them, write the one report. */
export async function mergeAction(
  sources: string[],
  flags: MergeFlags,
  io: Io,
  log: Logger,
  setExit: (code: number) => void,
): Promise<void> {
  checkDistinctFiles(flags.output, flags.report ?? []);
  const reports: Report[] = [];
  for (const source of sources) reports.push(...(await readSource(source, flags, io)));
  const expected = flags.expect
    ? parseTargets(await readText(flags.expect, flags, io, "--expect"), flags.expect)
    : [];
  const report = mergeReports(reports, flags.failOn, expected);
  await emitReport(report, flags, io, log);
  // A scheduled audit's alarm watches this line (deploy/org-audit.yaml's metric filter).
  log.info(
    {
      reports: reports.length,
      targets: report.targets?.length,
      verdict: report.verdict,
      exitCode: report.exitCode,
    },
    "merged",
  );
  setExit(report.exitCode);
}
