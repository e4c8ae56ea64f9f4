import { roleKey } from "../arn/arn.ts";
import type { FactError, Facts, InfrastructureUseId, RoleFacts, SimulatedAction } from "../facts/types.ts";

/** A result with the resources of the call that asked for it. */
type Answered = SimulatedAction & { resources: string[] };

import type { DecisionKind } from "../iam/types.ts";

/**
 * Whether Organizations policies (SCPs) let an infrastructure role do what one use needs, from AWS's own simulator
 * (DESIGN.md "Organizations policies"): the account outside any organization, or its management account, has no
 * SCP to fear; otherwise iam:SimulatePrincipalPolicy's OrganizationsDecisionDetail says, per action. Where AWS's
 * EvalDecision and the tool's own decision differ on a request AWS had every context value for, both are kept: the
 * best field report of an evaluator bug there is. It never changes the judgement. RCPs are not read.
 */

/** AWS's EvalDecision and the tool's decision for the same action, when they differ. */
export interface EvaluatorDisagreement {
  action: string;
  resources: string[];
  aws: string;
  tool: DecisionKind;
}

export type OrganizationsJudgement =
  | { kind: "not-needed"; reason: string }
  | { kind: "allowed"; disagreements: EvaluatorDisagreement[] }
  | {
      kind: "denied";
      actions: string[];
      /** Each denied result with the resources of its call (an action may be denied on some resources only). */
      deniedOn: { action: string; resources: string[] }[];
      disagreements: EvaluatorDisagreement[];
    }
  | { kind: "unknown"; error: FactError; disagreements: EvaluatorDisagreement[] };

/** An action the use needs, with what the tool's evaluator decided for it (the worst over its requests). */
export interface RequiredAction {
  action: string;
  decision: DecisionKind;
}

const SIMULATE = "iam:SimulatePrincipalPolicy";
const DESCRIBE = "organizations:DescribeOrganization";
/** The code of an unknown for a read the facts do not hold (not made, rather than failed). */
export const NOT_READ = "NotRead";

/** The tool's decision as AWS spells it; conditional has no AWS counterpart (the tool could not decide). */
const AWS_SPELLING: Partial<Record<DecisionKind, string>> = {
  allow: "allowed",
  "explicit-deny": "explicitDeny",
  "implicit-deny": "implicitDeny",
};

function roleOf(facts: Facts, roleArn: string): RoleFacts | undefined {
  const key = roleKey(roleArn, facts.caller.ok ? facts.caller.value.account : undefined);
  const account = facts.caller.ok ? facts.caller.value.account : undefined;
  return facts.roles.find((r) => {
    const arn = r.role.ok && r.role.value.exists ? r.role.value.arn : r.ref;
    return roleKey(arn, account) === key;
  });
}

/** Whether SCPs can apply at all; undefined when they may (in an organization, or membership unknown). */
function notNeeded(facts: Facts): string | undefined {
  const membership = facts.organization;
  if (!membership?.ok) return undefined;
  if (!membership.value.inOrganization) return "the account is not in an organization: no SCP applies";
  if (membership.value.managementAccount)
    return "the account is its organization's management account, which SCPs do not affect";
  return undefined;
}

/** Why the simulation is needed, for an unknown: membership in, or not read. */
function needBecause(facts: Facts): string {
  const membership = facts.organization;
  if (!membership) return `no ${DESCRIBE} answer`;
  if (!membership.ok) return `${DESCRIBE} failed with ${membership.error.code}, so SCPs may apply`;
  return `the account is in an organization (management account ${membership.value.managementAccountId ?? "unknown"})`;
}

function disagreementsOf(results: readonly Answered[], requiredBy: ReadonlyMap<string, RequiredAction>) {
  const out: EvaluatorDisagreement[] = [];
  for (const r of results) {
    const tool = requiredBy.get(r.action.toLowerCase());
    const spelled = tool && AWS_SPELLING[tool.decision];
    // An SCP's Deny is AWS's, not the identity policies': it is no disagreement with the tool's evaluator.
    if (!tool || !spelled || r.missingContextValues.length || r.allowedByOrganizations === false) continue;
    if (spelled !== r.evalDecision)
      out.push({ action: r.action, resources: r.resources, aws: r.evalDecision, tool: tool.decision });
  }
  return out;
}

/** Items by lower-cased action, the first of an action kept (as `find` would pick it). */
function firstByLowerAction<T extends { action: string }>(items: readonly T[]): Map<string, T> {
  const byAction = new Map<string, T>();
  for (const item of items) {
    const key = item.action.toLowerCase();
    if (!byAction.has(key)) byAction.set(key, item);
  }
  return byAction;
}

/** The judgement for one role and use, given the actions the use needs and the tool's own decisions for them. */
export function organizationsDecision(
  facts: Facts,
  roleArn: string,
  use: InfrastructureUseId,
  required: readonly RequiredAction[],
): OrganizationsJudgement {
  const skip = notNeeded(facts);
  if (skip) return { kind: "not-needed", reason: skip };
  if (!facts.organization) {
    const message = "these facts were gathered before ecs-preflight read it (collect them again)";
    return { kind: "unknown", error: { api: DESCRIBE, code: NOT_READ, message }, disagreements: [] };
  }
  const simulation = roleOf(facts, roleArn)?.simulations?.[use];
  const why = needBecause(facts);
  if (!simulation) {
    const message = `these facts hold no simulation of the role's ${use} use (${why})`;
    return { kind: "unknown", error: { api: SIMULATE, code: NOT_READ, message }, disagreements: [] };
  }
  if (!simulation.ok) {
    const error = { ...simulation.error, message: `${simulation.error.message} (${why})` };
    return { kind: "unknown", error, disagreements: [] };
  }
  const results: Answered[] = simulation.value.calls.flatMap((c) =>
    c.results.map((r) => ({ ...r, resources: c.resources })),
  );
  // Actions compare ignoring case, through maps and sets: a use's required actions × the simulator's answers was
  // quadratic (Express Mode's policy has dozens of actions, each simulated on several resources).
  const requiredBy = firstByLowerAction(required);
  const disagreements = disagreementsOf(results, requiredBy);
  const answered = new Set(results.map((r) => r.action.toLowerCase()));
  const unanswered = required.filter((q) => !answered.has(q.action.toLowerCase()));
  const deniedOn = results
    .filter((r) => r.allowedByOrganizations === false && requiredBy.has(r.action.toLowerCase()))
    .map((r) => ({ action: r.action, resources: r.resources }));
  const deniedActions = new Set(deniedOn.map((d) => d.action.toLowerCase()));
  const denied = required.filter((q) => deniedActions.has(q.action.toLowerCase())).map((q) => q.action);
  if (denied.length) return { kind: "denied", actions: denied, deniedOn, disagreements };
  if (unanswered.length) {
    const message = `AWS returned no result for ${unanswered.map((q) => q.action).join(", ")}`;
    return { kind: "unknown", error: { api: SIMULATE, code: "NoResult", message }, disagreements };
  }
  return { kind: "allowed", disagreements };
}
