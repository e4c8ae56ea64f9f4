import type { Facts } from "../facts/types.ts";
import { type Concerns, concernsOf } from "./concerns.ts";
import { type Config, EMPTY_CONFIG } from "./config.ts";
import type { Finding } from "./finding.ts";
import type { Rule } from "./rule.ts";
import { runRules } from "./run.ts";
import type { Verdict } from "./status.ts";
import { type ReportTotals, totalsOf } from "./totals.ts";
import { exitCodeFor, type FailOn, type Summary, summarise, verdictOf } from "./verdict.ts";

/** A task DEPROVISIONING longer than this is stuck, unless --stuck-after or the config says otherwise. */
export const DEFAULT_STUCK_AFTER_MS = 15 * 60_000;

export interface EvaluateOptions {
  rules: readonly Rule[];
  config?: Config;
  failOn?: FailOn;
  stuckAfterMs?: number;
  /** `check --before-role-change` (see RuleContext). */
  beforeRoleChange?: boolean;
  /** The wall clock: suppressions expire against it (rules measure durations against facts.collectedAt). */
  evaluatedAt: Date;
}

/** What the engine decides about a set of facts: every finding, and what they make together. */
export interface Evaluation {
  findings: Finding[];
  summary: Summary;
  verdict: Verdict;
  exitCode: number;
  failOn: FailOn;
  concerns: Concerns;
  totals: ReportTotals;
}

/** Which concern a rule id names, among some rules. */
export function concernIndex(rules: readonly Rule[]): (rule: string) => Rule["concern"] | undefined {
  const byId = new Map(rules.map((r) => [r.id, r.concern]));
  return (id) => byId.get(id);
}

/** What findings come to under some rules: summary, verdict, exit code, concerns and totals. */
export function judgeFindings(
  findings: Finding[],
  rules: readonly Rule[],
  failOn: FailOn,
): Omit<Evaluation, "failOn"> {
  const verdict = verdictOf(findings);
  return {
    findings,
    summary: summarise(findings),
    verdict,
    exitCode: exitCodeFor(verdict, failOn),
    concerns: concernsOf(findings, concernIndex(rules)),
    totals: totalsOf(rules, findings),
  };
}

/** Runs the rules over facts and applies levels, suppressions and the verdict. Pure: no AWS, no formatting. */
export function evaluateFacts(facts: Facts, options: EvaluateOptions): Evaluation {
  const config = options.config ?? EMPTY_CONFIG;
  const failOn = options.failOn ?? config.failOn ?? "fail";
  const findings = runRules(
    facts,
    options.rules,
    {
      now: new Date(facts.collectedAt),
      stuckAfterMs: options.stuckAfterMs ?? DEFAULT_STUCK_AFTER_MS,
      beforeRoleChange: options.beforeRoleChange === true,
    },
    config,
    options.evaluatedAt,
  );
  return { ...judgeFindings(findings, options.rules, failOn), failOn };
}
