import { leakedVolumeTotal } from "../analysis/volume-cost.ts";
import { type Finding, STATUS_ORDER } from "../engine/types.ts";
import { exitCodeFor, type FailOn, summarise, type Verdict, verdictOf } from "../engine/verdict.ts";
import type { Report, TargetResult } from "./types.ts";

/**
 * One report over many account-Regions, from the targets' own reports (a fan-out in one process, or `merge` of
 * reports written by separate runs): targets and findings combined, summary and verdict recomputed.
 */

/** One target's result and its findings, each finding tagged with the account and Region. */
export interface TargetPart {
  target: TargetResult;
  findings: Finding[];
}

const rank = (v: Verdict) => STATUS_ORDER.indexOf(v);

/** The leaked volumes' total over some findings, as a single-target report has it (src/pipeline/check.ts). */
export function leakedVolumesOf(findings: readonly Finding[]): Report["leakedVolumes"] {
  const leaks = findings.filter(
    (f) => f.rule === "leaked-volumes" && f.details && "monthlyCostUsd" in f.details,
  );
  return leaks.length
    ? leakedVolumeTotal(leaks.map((f) => (f.details?.monthlyCostUsd as number | null | undefined) ?? null))
    : undefined;
}

/** Splits a report into its targets: a single-target report is one part, a report over targets one per target. */
export function partsOf(report: Report): TargetPart[] {
  if (report.targets) {
    return report.targets.map((target) => ({
      target,
      findings: report.findings.filter((f) => f.account === target.account && f.region === target.region),
    }));
  }
  const account = report.account ?? "unknown";
  const region = report.region ?? "unknown";
  return [
    {
      target: {
        account,
        region,
        verdict: report.verdict,
        exitCode: report.exitCode,
        summary: report.summary,
        durationMs: report.durationMs,
        trail: report.trail,
      },
      findings: report.findings.map((f) => ({ ...f, account, region })),
    },
  ];
}

/** The one value all targets share, else null. */
function shared(values: readonly string[]): string | null {
  const [first] = values;
  return first !== undefined && values.every((v) => v === first) ? first : null;
}

export interface CombineOptions {
  failOn: FailOn;
  startedAt: Date;
  durationMs: number;
  /** The scope and tool of the first part's report (all targets run with the same scope flags). */
  base: Pick<Report, "tool" | "scope" | "collectedAt">;
}

/** Targets worst first (then by account and Region); findings grouped by target in that order. */
export function combineParts(parts: readonly TargetPart[], options: CombineOptions): Report {
  // The same account-Region twice (a re-run, a stale file): the worse part wins, so no order hides a fail.
  const byKey = new Map<string, TargetPart>();
  const verdictOfPart = (part: TargetPart) => (part.target.error ? "unknown" : verdictOf(part.findings));
  for (const part of parts) {
    const key = `${part.target.account}/${part.target.region}`;
    const earlier = byKey.get(key);
    if (earlier && rank(verdictOfPart(earlier)) > rank(verdictOfPart(part))) continue;
    byKey.delete(key);
    byKey.set(key, part);
  }
  const ordered = [...byKey.values()]
    .map((part) => {
      const verdict = verdictOfPart(part);
      return {
        ...part,
        target: {
          ...part.target,
          verdict,
          exitCode: exitCodeFor(verdict, options.failOn),
          summary: summarise(part.findings),
        },
      };
    })
    .sort(
      (a, b) =>
        rank(b.target.verdict) - rank(a.target.verdict) ||
        a.target.account.localeCompare(b.target.account) ||
        a.target.region.localeCompare(b.target.region),
    );
  const findings = ordered.flatMap((p) => p.findings);
  const targets = ordered.map((p) => p.target);
  const verdict = targets.reduce<Verdict>(
    (worst, t) => (rank(t.verdict) > rank(worst) ? t.verdict : worst),
    "pass",
  );
  const leakedVolumes = leakedVolumesOf(findings);
  return {
    schemaVersion: 1,
    tool: options.base.tool,
    verdict,
    exitCode: exitCodeFor(verdict, options.failOn),
    failOn: options.failOn,
    region: shared(targets.map((t) => t.region)),
    account: shared(targets.map((t) => t.account)),
    scope: options.base.scope,
    startedAt: options.startedAt.toISOString(),
    collectedAt: options.base.collectedAt,
    durationMs: options.durationMs,
    summary: summarise(findings),
    findings,
    // Per session name across targets would mix accounts: each target keeps its own (targets[].trail).
    trail: targets.length === 1 ? (targets[0]?.trail ?? {}) : {},
    ...(leakedVolumes ? { leakedVolumes } : {}),
    targets,
  };
}
