import { cents } from "../money.ts";
import type { Finding, RuleFinding } from "./finding.ts";

/**
 * What findings add up to, beyond their counts: the CloudWatch metrics (EMF) and the report-level totals. Rules
 * produce them in their `summarize`; the report and EMF only add them up and show them.
 */

/** The metrics rules add to a run's EMF line, in the order it declares them, with their CloudWatch units. */
export const RULE_METRICS = [
  { Name: "StuckTasks", Unit: "Count" },
  { Name: "LeakedVolumes", Unit: "Count" },
  { Name: "LeakedVolumeGiB", Unit: "Gigabytes" },
  { Name: "FailedTrailCalls", Unit: "Count" },
] as const;

export type RuleMetricName = (typeof RULE_METRICS)[number]["Name"];

/** The leaked volumes' total for the report: what is known, and how many volumes could not be priced. */
export interface LeakedVolumeTotal {
  volumes: number;
  /** The sum over the volumes whose cost is known. */
  estimatedMonthlyCostUsd: number;
  /** Volumes whose cost is unknown: the total is then a lower bound. */
  unpricedVolumes: number;
}

/** What one rule's findings add up to (its `summarize`). */
export interface RuleTotals {
  metrics?: Partial<Record<RuleMetricName, number>>;
  /** The report's `leakedVolumes`: present when a volume was found leaked (suppressed ones too: they still cost). */
  leakedVolumes?: LeakedVolumeTotal;
}

/** What every rule's findings add up to, for a report or one of its targets. */
export interface ReportTotals {
  metrics: Record<RuleMetricName, number>;
  leakedVolumes?: LeakedVolumeTotal;
}

/** What a totals function needs of a rule: its id and its summarize. */
export interface Summarizing {
  id: string;
  summarize?(findings: readonly RuleFinding<never>[]): RuleTotals;
}

function addLeaks(a: LeakedVolumeTotal | undefined, b: LeakedVolumeTotal | undefined) {
  if (!a || !b) return a ?? b;
  return {
    volumes: a.volumes + b.volumes,
    estimatedMonthlyCostUsd: cents(a.estimatedMonthlyCostUsd + b.estimatedMonthlyCostUsd),
    unpricedVolumes: a.unpricedVolumes + b.unpricedVolumes,
  };
}

/**
 * The totals of some findings, each rule summarizing its own (matched by rule id: the one place a finding meets its
 * rule's details type). Suppressed findings count: metrics and costs describe the account, not the gate.
 */
export function totalsOf(rules: readonly Summarizing[], findings: readonly Finding[]): ReportTotals {
  const metrics = Object.fromEntries(RULE_METRICS.map((m) => [m.Name, 0])) as Record<RuleMetricName, number>;
  let leakedVolumes: LeakedVolumeTotal | undefined;
  for (const rule of rules) {
    if (!rule.summarize) continue;
    const own = findings.filter((f) => f.rule === rule.id) as unknown as RuleFinding<never>[];
    const totals = rule.summarize(own);
    for (const [name, value] of Object.entries(totals.metrics ?? {}))
      metrics[name as RuleMetricName] += value ?? 0;
    leakedVolumes = addLeaks(leakedVolumes, totals.leakedVolumes);
  }
  return { metrics, ...(leakedVolumes ? { leakedVolumes } : {}) };
}
