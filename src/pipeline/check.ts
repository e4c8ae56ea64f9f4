import { rules as allRules } from "../../rules/index.ts";
import { CallCounter } from "../collect/call-counter.ts";
import type { Config } from "../engine/config.ts";
import { evaluateFacts } from "../engine/evaluate.ts";
import type { Rule } from "../engine/rule.ts";
import type { FailOn } from "../engine/verdict.ts";
import type { Facts } from "../facts/types.ts";
import { evaluatorDisagreements } from "../report/disagreements.ts";
import { trailSummary } from "../report/trail.ts";
import type { Report } from "../report/types.ts";
import { VERSION } from "../version.ts";
import {
  type ChangeInput,
  changeStep,
  readChangeStep,
  refuseOtherRegion,
  wantsChange,
} from "./change-step.ts";
import { commonCause } from "./common-cause.ts";
import { type FactsSource, gatherFacts } from "./facts-source.ts";

/**
 * The check pipeline, in one place above the engine: gather facts (AWS, a snapshot, or memory) → evaluate them with
 * the rules (src/engine/) → assemble the report. The CLI and the library's `check()` both run it.
 */

export interface CheckOptions extends FactsSource, Omit<ChangeInput, "plan"> {
  config?: Config;
  failOn?: FailOn;
  stuckAfterMs?: number;
  /** The roles in scope are about to be changed or deleted: role-in-use fails while they are in use. */
  beforeRoleChange?: boolean;
  /**
   * A change to apply to the facts before they are judged: a Terraform JSON plan (`terraform show -json tfplan`)
   * or a CloudFormation change set (`aws cloudformation describe-change-set --include-property-values`).
   */
  plan?: string;
  /**
   * Every Region this run reads, when it reads several (--regions): a change set's own Region must be among them.
   * Alone, the check reads its own Region only.
   */
  changeRegions?: readonly string[];
}

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
    rules: options.rules ?? allRules,
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

/**
 * The whole check: gather facts, run the rules, build the report.
 * `import { check } from "ecs-preflight"` is the same function the CLI calls.
 */
export async function check(given: CheckOptions): Promise<Report> {
  const startedAt = new Date();
  // A live run counts its own calls (a fan-out's targets each their own: the caller's counter is not passed on).
  const counter = given.aws && !given.facts && !given.snapshot ? new CallCounter() : undefined;
  const options = counter && given.aws ? { ...given, aws: { ...given.aws, calls: counter } } : given;
  // The change first: a bad file is exit 2 before any AWS call, and it names the roles to collect.
  const plan = wantsChange(options) ? await readChangeStep(options, options.aws, options.log) : undefined;
  // A change set of another Region is refused before any read of this one (a snapshot's is known once loaded).
  const regions =
    options.changeRegions ?? (options.aws && !options.snapshot ? [options.aws.region] : undefined);
  if (plan && regions) refuseOtherRegion(plan.changes, regions);
  // Before a role change, who uses the roles must be looked at: a --role-only scope then reads every cluster.
  const planned = plan ? plan.source(options) : options;
  const gather = options.beforeRoleChange
    ? { ...planned, collect: { ...planned.collect, ecsForRoles: true } }
    : planned;
  const gathered = await gatherFacts({ ...gather, rules: options.rules ?? allRules }, startedAt);
  const facts = plan
    ? changeStep(gathered.facts, plan.changes, {
        ...(regions ? { regions } : {}),
        ...(options.snapshot ? { snapshot: options.snapshot } : {}),
      })
    : gathered.facts;
  const { source } = gathered;
  const report = evaluate(facts, {
    ...options,
    startedAt,
    source,
    ...(options.snapshot ? { snapshot: options.snapshot } : {}),
  });
  if (counter) report.aws = counter.totals();
  for (const d of evaluatorDisagreements(report.findings))
    options.log?.warn(
      d,
      `AWS's policy simulator and ecs-preflight's evaluator disagree on ${d.action} (AWS: ${d.aws}, ecs-preflight: ${d.tool}) with every context value supplied: the status follows ecs-preflight; please report it`,
    );
  return report;
}
