import type { Facts } from "../facts/types.ts";
import { type Config, EMPTY_CONFIG } from "./config.ts";
import { runRules } from "./run.ts";
import type { Finding, Rule } from "./types.ts";
import { exitCodeFor, type FailOn, type Summary, summarise, type Verdict, verdictOf } from "./verdict.ts";

/** A task DEPROVISIONING longer than this is stuck, unless --stuck-after or the config says otherwise. */
export const DEFAULT_STUCK_AFTER_MS = 15 * 60_000;

export interface EvaluateOptions {
  rules: readonly Rule[];
  config?: Config;
  failOn?: FailOn;
  stuckAfterMs?: number;
  /** `check --before-role-change` (see RuleOptions). */
  beforeRoleChange?: boolean;
  /** The wall clock: suppressions expire against it (rules measure durations against facts.collectedAt). */
  evaluatedAt: Date;
}

/** What the engine decides about a set of facts: every finding, and the verdict and exit code they make. */
export interface Evaluation {
  findings: Finding[];
  summary: Summary;
  verdict: Verdict;
  exitCode: number;
  failOn: FailOn;
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
      ...(config.prices ? { volumePrices: config.prices } : {}),
      ...(options.beforeRoleChange ? { beforeRoleChange: true } : {}),
    },
    config,
    options.evaluatedAt,
  );
  const verdict = verdictOf(findings);
  return { findings, summary: summarise(findings), verdict, exitCode: exitCodeFor(verdict, failOn), failOn };
}
