import { CallCounter } from "../collect/call-counter.ts";
import type { Config } from "../engine/config.ts";
import type { FailOn } from "../engine/verdict.ts";
import type { Report } from "../report/types.ts";
import { type ChangeInput, wantsChange } from "./change-input.ts";
import { type FactsSource, gatherFacts } from "./facts-source.ts";

/**
 * The check pipeline, in one place above the engine: gather facts (AWS, a snapshot, or memory) → evaluate them with
 * the rules (src/engine/) → assemble the report. The CLI and the library's `check()` both run it. Only what comes
 * first is loaded up front: the change gate loads when a change is given, and the rules (./evaluate.ts) while the
 * first AWS request is in flight, so that nothing but AWS stands before it.
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
  const gate = wantsChange(options) ? await import("./change-step.ts") : undefined;
  const plan = gate ? await gate.readChangeStep(options, options.aws, options.log) : undefined;
  // A change set of another Region is refused before any read of this one (a snapshot's is known once loaded).
  const regions =
    options.changeRegions ?? (options.aws && !options.snapshot ? [options.aws.region] : undefined);
  if (gate && plan && regions) gate.refuseOtherRegion(plan.changes, regions);
  // Before a role change, who uses the roles must be looked at: a --role-only scope then reads every cluster.
  const planned = plan ? plan.source(options) : options;
  const gather = options.beforeRoleChange
    ? { ...planned, collect: { ...planned.collect, ecsForRoles: true } }
    : planned;
  // The rules load while ECS's first request is in flight (collect says when), or at once without AWS.
  let judging: Promise<typeof import("./evaluate.ts")> | undefined;
  const judge = () => {
    if (!judging) {
      judging = import("./evaluate.ts");
      // Awaited after the facts are gathered; a failed load (a broken install) must not be an unhandled rejection
      // meanwhile, when gathering fails first.
      judging.catch(() => undefined);
    }
    return judging;
  };
  const gathered = await gatherFacts(
    { ...gather, collect: { ...gather.collect, afterFirstRequest: () => void judge() } },
    startedAt,
  );
  const facts =
    gate && plan
      ? gate.changeStep(gathered.facts, plan.changes, {
          ...(regions ? { regions } : {}),
          ...(options.snapshot ? { snapshot: options.snapshot } : {}),
        })
      : gathered.facts;
  const { source } = gathered;
  const { evaluate, evaluatorDisagreements } = await judge();
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
