import type { Finding } from "../engine/finding.ts";
import type { Rule } from "../engine/rule.ts";
import type { Verdict } from "../engine/status.ts";
import { RULE_METRICS, totalsOf } from "../engine/totals.ts";
import type { AwsCalls } from "../facts/types.ts";
import type { Report } from "./types.ts";

/**
 * CloudWatch Embedded Metric Format: one JSON line per run (per target, when the report has targets) that
 * CloudWatch Logs turns into metrics, so a scheduled run drives alarms with no extra code. The CLI writes the lines
 * to stderr beside the pino log lines: an ECS task's awslogs driver ships both streams, and stdout stays the report.
 */

export const EMF_NAMESPACE = "ECSPreflight";

/** The metrics of a line, in the order they are declared, with their CloudWatch units: counts, the rules', the run's. */
export const EMF_METRICS = [
  { Name: "FindingsPass", Unit: "Count" },
  { Name: "FindingsWarn", Unit: "Count" },
  { Name: "FindingsFail", Unit: "Count" },
  { Name: "FindingsUnknown", Unit: "Count" },
  { Name: "FindingsSkipped", Unit: "Count" },
  { Name: "Suppressed", Unit: "Count" },
  ...RULE_METRICS,
  { Name: "DurationMs", Unit: "Milliseconds" },
  // What the run asked of AWS (the report's `aws`): a rising AwsThrottled is the account's API quota running short.
  { Name: "AwsCalls", Unit: "Count" },
  { Name: "AwsRetries", Unit: "Count" },
  { Name: "AwsThrottled", Unit: "Count" },
] as const;

export type EmfMetricName = (typeof EMF_METRICS)[number]["Name"];

/** A target of an organisation-wide run, as the report lists it (`report.targets`, when there are several). */
export interface EmfTarget {
  account: string;
  region: string;
  verdict?: Verdict;
  aws?: AwsCalls;
}

type TargetedFinding = Finding & { account?: string; region?: string };
type TargetedReport = Report & { targets?: EmfTarget[] };

/**
 * Metric values from one set of findings: counts by status (suppressed findings still count: metrics describe the
 * account), then what the rules' findings add up to (stuck tasks, leaked volumes, failed trail calls).
 */
export function emfValues(
  findings: readonly Finding[],
  durationMs: number,
  rules: readonly Rule[],
  /** The run's AWS calls; none (a snapshot, facts in memory) is zero of each. */
  aws?: AwsCalls,
): Record<EmfMetricName, number> {
  const by = (status: Finding["status"]) => findings.filter((f) => f.status === status).length;
  return {
    FindingsPass: by("pass"),
    FindingsWarn: by("warn"),
    FindingsFail: by("fail"),
    FindingsUnknown: by("unknown"),
    FindingsSkipped: by("skipped"),
    Suppressed: findings.filter((f) => f.suppressed).length,
    ...totalsOf(rules, findings).metrics,
    DurationMs: durationMs,
    AwsCalls: aws?.calls ?? 0,
    AwsRetries: aws?.retries ?? 0,
    AwsThrottled: aws?.throttled ?? 0,
  };
}

function line(
  namespace: string,
  timestamp: number,
  account: string,
  region: string,
  verdict: Verdict,
  values: Record<EmfMetricName, number>,
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [["Account", "Region"]],
          Metrics: EMF_METRICS.map((m) => ({ ...m })),
        },
      ],
    },
    Account: account,
    Region: region,
    Verdict: verdict,
    ...values,
  });
}

/**
 * The EMF lines of a report: one for the run, or one per target (each with its own findings) when the report has
 * `targets`. An unknown account (GetCallerIdentity failed) is the dimension value "unknown": a dimension must be set.
 */
export function emfLines(
  report: Report,
  /** The rules whose findings the report holds: they sum their own metrics. */
  rules: readonly Rule[],
  namespace: string = EMF_NAMESPACE,
): string[] {
  const timestamp = Date.parse(report.startedAt);
  const { targets } = report as TargetedReport;
  if (!targets?.length) {
    return [
      line(
        namespace,
        timestamp,
        report.account ?? "unknown",
        // A report over targets always has targets; a single run always names its Region.
        report.region ?? "unknown",
        report.verdict,
        emfValues(report.findings, report.durationMs, rules, report.aws),
      ),
    ];
  }
  return targets.map((t) => {
    const findings = (report.findings as TargetedFinding[]).filter(
      (f) => f.account === t.account && f.region === t.region,
    );
    // One duration for the whole run: targets run concurrently and the report times the run.
    return line(
      namespace,
      timestamp,
      t.account,
      t.region,
      t.verdict ?? report.verdict,
      emfValues(findings, report.durationMs, rules, t.aws),
    );
  });
}
