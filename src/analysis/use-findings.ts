import { shortName } from "../arn/arn.ts";
import type { RoleFacts } from "../facts/types.ts";
import type { Decision } from "../iam/types.ts";
import { describeStatement, mayBeDenied, undecidedWhat } from "./describe-decision.ts";
import { ECS_SERVICE_PRINCIPAL } from "./ecs-requests.ts";
import type { InfrastructureUse } from "./infrastructure-uses.ts";
import { useOfReference } from "./infrastructure-uses.ts";

/**
 * How the per-use permission rules say what they judged (tls-permissions and the rules of Managed Instances, Express
 * Mode, VPC Lattice and blue/green load balancers): one clause per action, the trust's problem, the users of a use.
 */

/** What decided an action: "allowed by …", "denied by …", "not allowed by any policy". */
export function reasonOf(decision: Decision): string {
  const by = decision.statements.map(describeStatement).join(", ");
  switch (decision.decision) {
    case "allow":
      return `allowed by ${by}`;
    case "explicit-deny":
      return `denied by ${by}`;
    case "conditional":
      return mayBeDenied(decision)
        ? `may be denied, depending on ${undecidedWhat(decision)}`
        : `allowed only if ECS's request meets ${undecidedWhat(decision)}`;
    default:
      return decision.boundary === "implicit-deny" && decision.statements.length === 0
        ? "not allowed by the permissions boundary"
        : "not allowed by any policy";
  }
}

/** One action's line: the action and what decided it. */
export function explainAction({ action, decision }: { action: string; decision: Decision }): string {
  return `${action} ${reasonOf(decision)}`;
}

/** "a, b and 3 more": a role with none of a use's permissions would otherwise list dozens of actions. */
export function listed(items: readonly string[]): string {
  return items.length <= 4
    ? items.join(", ")
    : `${items.slice(0, 3).join(", ")} and ${items.length - 3} more`;
}

/** Plain "not allowed" actions grouped in one clause each; denies and doubts each name their statement or condition. */
export function actionProblems(verdicts: readonly { action: string; decision: Decision }[]): string[] {
  const grouped = new Map<string, string[]>();
  const others: string[] = [];
  for (const v of verdicts.filter((x) => x.decision.decision !== "allow")) {
    if (v.decision.decision !== "implicit-deny") others.push(explainAction(v));
    else {
      const why = reasonOf(v.decision);
      grouped.set(why, [...(grouped.get(why) ?? []), v.action]);
    }
  }
  return [...[...grouped].map(([why, actions]) => `${listed(actions)} ${why}`), ...others];
}

/** A trust that does not simply allow ECS: the same analysis as trust-policy, which has the statements. */
export function trustProblem(decision: Decision): string {
  switch (decision.decision) {
    case "explicit-deny":
      return `its trust policy denies ${ECS_SERVICE_PRINCIPAL} sts:AssumeRole (see trust-policy)`;
    case "implicit-deny":
      return `its trust policy does not let ${ECS_SERVICE_PRINCIPAL} assume it (see trust-policy)`;
    default:
      return `ECS may assume it only if its request meets the trust policy's ${undecidedWhat(decision)} (see trust-policy)`;
  }
}

/** What names the role for a use, "cluster/name" each: services, capacity providers, Express services. */
export function usersOf(role: Pick<RoleFacts, "referencedBy">, use: InfrastructureUse): string[] {
  const names = role.referencedBy.flatMap((r) => {
    if (useOfReference(r) !== use.id) return [];
    if (r.kind === "service" || r.kind === "express-service") return [`${shortName(r.cluster)}/${r.service}`];
    if (r.kind === "capacity-provider") return [`${shortName(r.cluster)}/${r.capacityProvider}`];
    if (r.kind === "task") return [shortName(r.task)];
    return [];
  });
  return [...new Set(names)].sort();
}

/** The kind of thing that names the role for a use, as a sentence says it. */
const USER_NOUN: Record<InfrastructureUse["id"], [string, string]> = {
  ebs: ["service or task", "services and tasks"],
  "service-connect-tls": ["service", "services"],
  "managed-instances": ["capacity provider", "capacity providers"],
  express: ["Express service", "Express services"],
  "vpc-lattice": ["service", "services"],
  "load-balancer": ["service", "services"],
};

/** "(Managed Instances of capacity provider prod/shop-compute)": which use, and who uses the role for it. */
export function usedFor(use: InfrastructureUse, users: readonly string[]): string {
  if (!users.length) return ` (${use.label})`;
  const [one, many] = USER_NOUN[use.id];
  return ` (${use.label} of ${users.length === 1 ? one : many} ${listed(users)})`;
}
