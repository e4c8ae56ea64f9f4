import { parseArn } from "../arn/arn.ts";
import type { Facts, RoleFacts } from "../facts/types.ts";
import { evaluateIdentity } from "../iam/evaluate.ts";
import type { Decision, DecisionKind } from "../iam/types.ts";
import { type InfrastructureUse, requirementsFor } from "./infrastructure-uses.ts";
import type { RolePolicies } from "./role-policies.ts";

/**
 * One action a use requires, judged against a role's effective permissions: the worst decision over every request
 * ECS makes for it (on every resource the managed policy grants it on). The one evaluation behind
 * volume-permissions, tls-permissions and the four rules of the other uses, managed-policy and the change gate.
 */
export interface UseActionVerdict {
  action: string;
  /** The managed policy's statements that grant it (the EBS use's documented minimum has none of its own). */
  sids: string[];
  decision: Decision;
}

/** Where the role acts (for the request contexts) and the policies that decide (identity within boundary). */
export function judgedAs(facts: Facts, policies: RolePolicies) {
  return {
    loc: {
      partition: parseArn(policies.arn)?.partition ?? "aws",
      region: facts.region,
      account: policies.account,
      roleArn: policies.arn,
    },
    set: { identity: policies.identity, ...(policies.boundary ? { boundary: policies.boundary } : {}) },
  };
}

/** Worse first when combining the requests of one action: one request ECS cannot make is enough to break the use. */
const RANK: Record<DecisionKind, number> = {
  allow: 0,
  conditional: 1,
  "implicit-deny": 2,
  "explicit-deny": 3,
};

export const worseDecision = (a: Decision, b: Decision): Decision =>
  RANK[b.decision] > RANK[a.decision] ? b : a;

/** Verdicts per (memoised) RolePolicies and use: several rules ask about the same role in one run. */
const evaluated = new WeakMap<RolePolicies, Map<string, UseActionVerdict[]>>();

/**
 * Every action of the use ECS needs of `role` (requirementsFor: without a role, all of them), in the order its
 * requirements list them, each judged over all of ECS's requests.
 */
export function useAccess(
  facts: Facts,
  policies: RolePolicies,
  use: InfrastructureUse,
  role?: Pick<RoleFacts, "referencedBy">,
): UseActionVerdict[] {
  const byUse = evaluated.get(policies) ?? new Map<string, UseActionVerdict[]>();
  evaluated.set(policies, byUse);
  const requirements = requirementsFor(use, role);
  const which =
    requirements.length === use.requirements.length
      ? "all"
      : requirements.map((r) => use.requirements.indexOf(r)).join(",");
  const key = `${use.id} ${facts.region} ${which}`;
  const cached = byUse.get(key);
  if (cached) return cached;
  const { loc, set } = judgedAs(facts, policies);
  const byAction = new Map<string, UseActionVerdict>();
  for (const requirement of requirements) {
    const decision = requirement
      .requests(loc)
      .map((request) => evaluateIdentity(request, set))
      .reduce(worseDecision);
    const seen = byAction.get(requirement.action);
    const sids = requirement.sid === "documented minimum" ? [] : [requirement.sid];
    if (!seen) byAction.set(requirement.action, { action: requirement.action, sids, decision });
    else
      byAction.set(requirement.action, {
        action: requirement.action,
        sids: [...new Set([...seen.sids, ...sids])],
        decision: worseDecision(seen.decision, decision),
      });
  }
  const verdicts = [...byAction.values()];
  byUse.set(key, verdicts);
  return verdicts;
}

/** Whether the role holds every permission ECS needs of it for the use (managed-policy's "held some other way"). */
export function holdsUse(
  facts: Facts,
  policies: RolePolicies,
  use: InfrastructureUse,
  role?: Pick<RoleFacts, "referencedBy">,
): boolean {
  return useAccess(facts, policies, use, role).every((v) => v.decision.decision === "allow");
}
