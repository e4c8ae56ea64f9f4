import type { VolumeAction } from "../../src/analysis/ecs-requests.ts";
import {
  existingRole,
  rolePolicies,
  usedForServiceConnectTls,
  usedForVolumes,
} from "../../src/analysis/role-policies.ts";
import { tlsAccess } from "../../src/analysis/tls-access.ts";
import { ecsTrustDecision } from "../../src/analysis/trust-access.ts";
import { volumeAccess } from "../../src/analysis/volume-access.ts";
import type { FactError, Facts, RoleFacts } from "../../src/facts/types.ts";
import type { DecisionKind } from "../../src/iam/types.ts";

/**
 * What ECS can do with a role for a task's EBS volume, judged as trust-policy and volume-permissions judge it:
 * assume it, and perform each volume action. `undecided` carries why (a conditional decision, or a fact error such
 * as a value known only after apply). A role a service names for Service Connect TLS is also judged for each action of
 * the managed TLS policy, as tls-permissions judges it.
 */
export type Verdict =
  | { is: "yes" }
  | { is: "no"; why: string }
  | { is: "undecided"; why: string; error?: FactError };

export interface EcsAccess {
  trust: Verdict;
  actions: { action: VolumeAction; verdict: Verdict }[];
  /** For a Service Connect TLS role: each action of the managed TLS policy (empty for other roles). */
  tlsActions: { action: string; verdict: Verdict }[];
  /** Why the volume actions could not be judged at all (a policy that could not be read). */
  policiesError?: FactError;
}

export function ecsAccess(facts: Facts, role: RoleFacts): EcsAccess | { missing: true } {
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
  if (!policies.ok) return { trust, actions: [], tlsActions: [], policiesError: policies.error };
  // A role only a service's Service Connect TLS names needs no volume actions (volume-permissions skips it too).
  const actions = usedForVolumes(role)
    ? volumeAccess(facts, policies.value).map(({ action, decision }) => ({
        action,
        verdict: actionVerdict(action, decision.decision),
      }))
    : [];
  const tlsActions = usedForServiceConnectTls(role)
    ? tlsAccess(facts, policies.value).map(({ requirement, decision }) => ({
        action: requirement.action,
        verdict: actionVerdict(requirement.action, decision.decision),
      }))
    : [];
  return { trust, actions, tlsActions };
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
