import { rules } from "../../rules/index.ts";
import type { Config } from "../engine/config.ts";
import { evaluateFacts } from "../engine/evaluate.ts";
import type { Rule } from "../engine/rule.ts";
import type { FailOn } from "../engine/verdict.ts";
import type { Facts } from "../facts/types.ts";
import { trailSummary } from "../report/trail.ts";
import type { Report } from "../report/types.ts";
import { VERSION } from "../version.ts";
import { commonCause } from "./common-cause.ts";

/**
 * The pure half of a check: facts in, the report out, through the rules (src/engine/ runs them). The check pipeline
 * (./check.ts) loads this module once the reads on ECS's chain are on their way: the rules are not needed before.
 */

export { evaluatorDisagreements } from "../report/disagreements.ts";
export { rules };

export interface EvaluateReportOptions {
  config?: Config;
  failOn?: FailOn;
  stuckAfterMs?: number;
  beforeRoleChange?: boolean;
  rules?: readonly Rule[];
  startedAt?: Date;
  source?: Report["scope"]["source"];
  snapshot?: string;
}

/** Evaluates already-gathered facts into a report: the pure half of a check. */
export function evaluate(facts: Facts, options: EvaluateReportOptions = {}): Report {
  const startedAt = options.startedAt ?? new Date();
  const evaluation = evaluateFacts(facts, {
    rules: options.rules ?? rules,
    ...(options.config ? { config: options.config } : {}),
    ...(options.failOn ? { failOn: options.failOn } : {}),
    ...(options.stuckAfterMs !== undefined ? { stuckAfterMs: options.stuckAfterMs } : {}),
    ...(options.beforeRoleChange ? { beforeRoleChange: true } : {}),
    evaluatedAt: startedAt,
  });
  const cause = commonCause(facts);
  const { leakedVolumes } = evaluation.totals;
  return {
    schemaVersion: 1,
    tool: { name: "ecs-preflight", version: VERSION },
    verdict: evaluation.verdict,
    exitCode: evaluation.exitCode,
    failOn: evaluation.failOn,
    region: facts.region,
    account: facts.caller.ok ? facts.caller.value.account : null,
    ...(cause ? { commonCause: cause } : {}),
    scope: {
      ...facts.scope,
      source: options.source ?? "aws",
      ...(options.snapshot ? { snapshot: options.snapshot } : {}),
    },
    startedAt: startedAt.toISOString(),
    collectedAt: facts.collectedAt,
    durationMs: Date.now() - startedAt.getTime(),
    summary: evaluation.summary,
    concerns: evaluation.concerns,
    findings: evaluation.findings,
    trail: trailSummary(facts),
    ...(leakedVolumes ? { leakedVolumes } : {}),
  };
}
