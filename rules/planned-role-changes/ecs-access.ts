import type { VolumeAction } from "../../src/analysis/ecs-requests.ts";
import { type InfrastructureUse, usesOf } from "../../src/analysis/infrastructure-uses.ts";
import { existingRole, rolePolicies, usedForVolumes } from "../../src/analysis/role-policies.ts";
import { ecsTrustDecision } from "../../src/analysis/trust-access.ts";
import { useAccess } from "../../src/analysis/use-access.ts";
import { volumeAccess } from "../../src/analysis/volume-access.ts";
import type { FactError, Facts, RoleFacts } from "../../src/facts/types.ts";
import type { DecisionKind } from "../../src/iam/types.ts";

/**
 * What ECS can do with a role for a task's EBS volume, judged as trust-policy and volume-permissions judge it:
 * assume it, and perform each volume action. `undecided` carries why (a conditional decision, or a fact error such
 * as a value known only after apply). A role ECS names for any other use (Service Connect TLS, Managed Instances,
 * Express Mode, VPC Lattice, blue/green load balancers) is also judged for each action that use requires, with the
 * same per-use evaluation as that use's permissions rule (src/analysis/use-access.ts), for what ECS needs of the role
 * as `judgedFor`'s references say (the change gate passes the same for today and after, so both sides require the
 * same: blue/green's listener actions only for the load balancer kinds in use).
 */
export type Verdict =
  | { is: "yes" }
  | { is: "no"; why: string }
  | { is: "undecided"; why: string; error?: FactError };

export interface EcsAccess {
  trust: Verdict;
  actions: { action: VolumeAction; verdict: Verdict }[];
  /** For each use of the role beyond EBS: each action the use requires (empty for a role only used for EBS). */
  useActions: { use: InfrastructureUse; action: string; verdict: Verdict }[];
  /** Why the volume actions could not be judged at all (a policy that could not be read). */
  policiesError?: FactError;
}

/**
 * `uses`: the uses to judge beyond EBS (by default those the role was seen in; the change gate adds those ECS is
 * seen to put it to, so a role named only by a flag is still judged for the capacity provider that uses it).
 */
export function ecsAccess(
  facts: Facts,
  role: RoleFacts,
  uses: readonly InfrastructureUse[] = usesOf(role),
  /** How ECS uses the role, for what each use requires of it (by default the role's own references). */
  judgedFor: Pick<RoleFacts, "referencedBy"> = role,
): EcsAccess | { missing: true } {
  const detail = existingRole(role);
  if (!detail) return { missing: true };
  const judged = ecsTrustDecision(facts, detail);
  const trust: Verdict = !judged.ok
    ? { is: "undecided", why: `${judged.error.code}: ${judged.error.message}`, error: judged.error }
    : judged.value.decision.decision === "allow"
      ? { is: "yes" }
      : judged.value.decision.decision === "conditional"
        ? { is: "undecided", why: "the trust policy's conditions may or may not hold for ECS" }
        : {
            is: "no",
            why:
              judged.value.decision.decision === "explicit-deny"
                ? "the trust policy denies ecs.amazonaws.com"
                : "the trust policy does not allow ecs.amazonaws.com",
          };
  const policies = rolePolicies(facts, role);
  if (!policies.ok) return { trust, actions: [], useActions: [], policiesError: policies.error };
  // A role only a service's Service Connect TLS names needs no volume actions (volume-permissions skips it too).
  const actions = usedForVolumes(role)
    ? volumeAccess(facts, policies.value).map(({ action, decision }) => ({
        action,
        verdict: actionVerdict(action, decision.decision),
      }))
    : [];
  // Every other use the role serves, each judged as its permissions rule judges it.
  const useActions = uses
    .filter((use) => use.id !== "ebs")
    .flatMap((use) =>
      useAccess(facts, policies.value, use, judgedFor).map(({ action, decision }) => ({
        use,
        action,
        verdict: actionVerdict(action, decision.decision),
      })),
    );
  return { trust, actions, useActions };
}

function actionVerdict(action: string, decision: DecisionKind): Verdict {
  if (decision === "allow") return { is: "yes" };
  if (decision === "conditional")
    return { is: "undecided", why: `${action} depends on conditions the tool cannot decide` };
  return {
    is: "no",
    why: decision === "explicit-deny" ? `${action} is explicitly denied` : `nothing allows ${action}`,
  };
}
