import type { Facts } from "../facts/types.ts";
import { evaluateIdentity } from "../iam/evaluate.ts";
import type { Decision, DecisionKind } from "../iam/types.ts";
import type { RolePolicies } from "./role-policies.ts";
import { TLS_REQUIREMENTS, type TlsRequirement, tlsRequests } from "./tls-requests.ts";
import { judgedAs } from "./volume-access.ts";

export interface TlsActionVerdict {
  requirement: TlsRequirement;
  /** The worst decision over the requests ECS may make for the action. */
  decision: Decision;
}

/** Worse first when combining the requests of one action: one request ECS cannot make is enough to break TLS. */
const RANK: Record<DecisionKind, number> = {
  allow: 0,
  conditional: 1,
  "implicit-deny": 2,
  "explicit-deny": 3,
};

/** Evaluates every action of the managed TLS policy against a role's effective permissions. */
export function tlsAccess(facts: Facts, policies: RolePolicies): TlsActionVerdict[] {
  const { loc, set } = judgedAs(facts, policies);
  return TLS_REQUIREMENTS.map((requirement) => ({
    requirement,
    decision: tlsRequests(requirement, loc)
      .map((request) => evaluateIdentity(request, set))
      .reduce((worst, d) => (RANK[d.decision] > RANK[worst.decision] ? d : worst)),
  }));
}
