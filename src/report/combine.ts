import { judgeFindings } from "../engine/evaluate.ts";
import type { Finding } from "../engine/finding.ts";
import type { Rule } from "../engine/rule.ts";
import { asVerdict, verdictRank, worstStatus } from "../engine/status.ts";
import { exitCodeFor, type FailOn } from "../engine/verdict.ts";
import type { AwsCalls } from "../facts/types.ts";
import { compareText } from "../order.ts";
import type { Report, TargetResult } from "./types.ts";

/**
 * One report over many account-Regions, from the targets' own reports (a fan-out in one process, or `merge` of
 * reports written by separate runs): targets and findings combined; summary, verdict, concerns and totals recomputed
 * from the findings by the rules that wrote them.
 */

/** One target's result and its findings, each finding tagged with the account and Region. */
export interface TargetPart {
  target: TargetResult;
  findings: Finding[];
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
        ...(report.aws ? { aws: report.aws } : {}),
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
  /** The rules the findings are judged by: their concerns and totals. */
  rules: readonly Rule[];
}

/** A target's part with its verdict, exit code, summary and concerns recomputed from its findings. */
function judged(part: TargetPart, options: CombineOptions): TargetPart {
  const judgement = judgeFindings(part.findings, options.rules, options.failOn);
  // A target that could not be reached is unknown whatever findings it carries.
  const verdict = part.target.error ? "unknown" : judgement.verdict;
  return {
    ...part,
    target: {
      ...part.target,
      verdict,
      exitCode: exitCodeFor(verdict, options.failOn),
      summary: judgement.summary,
      concerns: judgement.concerns,
    },
  };
}

/** Targets worst first (then by account and Region); findings grouped by target in that order. */
export function combineParts(parts: readonly TargetPart[], options: CombineOptions): Report {
  // The same account-Region twice (a re-run, a stale file): the worse part wins, so no order hides a fail.
  const byKey = new Map<string, TargetPart>();
  for (const part of parts.map((p) => judged(p, options))) {
    const key = `${part.target.account}/${part.target.region}`;
    const earlier = byKey.get(key);
    if (earlier && verdictRank(earlier.target.verdict) > verdictRank(part.target.verdict)) continue;
    byKey.delete(key);
    byKey.set(key, part);
  }
  const ordered = [...byKey.values()].sort(
    (a, b) =>
      verdictRank(b.target.verdict) - verdictRank(a.target.verdict) ||
      compareText(a.target.account, b.target.account) ||
      compareText(a.target.region, b.target.region),
  );
  const findings = ordered.flatMap((p) => p.findings);
  const targets = ordered.map((p) => p.target);
  const verdict = asVerdict(worstStatus(targets.map((t) => t.verdict)));
  const all = judgeFindings(findings, options.rules, options.failOn);
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
    summary: all.summary,
    concerns: all.concerns,
    findings,
    // Per session name across targets would mix accounts: each target keeps its own (targets[].trail).
    trail: targets.length === 1 ? (targets[0]?.trail ?? {}) : {},
    ...(all.totals.leakedVolumes ? { leakedVolumes: all.totals.leakedVolumes } : {}),
    // Summed over the targets that counted theirs (a merged report of an older version may have none).
    ...(targets.some((t) => t.aws) ? { aws: sumCalls(targets.map((t) => t.aws)) } : {}),
    targets,
  };
}

/** The sum of several runs' AWS calls, retries and throttled answers. */
export function sumCalls(parts: readonly (AwsCalls | undefined)[]): AwsCalls {
  const sum: AwsCalls = { calls: 0, retries: 0, throttled: 0 };
  for (const part of parts) {
    if (!part) continue;
    sum.calls += part.calls;
    sum.retries += part.retries;
    sum.throttled += part.throttled;
  }
  return sum;
}
