import type { Facts } from "../facts/types.ts";
import type { Decision } from "../iam/types.ts";
import { infrastructureUse } from "./infrastructure-uses.ts";
import type { RolePolicies } from "./role-policies.ts";
import { TLS_REQUIREMENTS, type TlsRequirement } from "./tls-requests.ts";
import { useAccess } from "./use-access.ts";

export interface TlsActionVerdict {
  requirement: TlsRequirement;
  /** The worst decision over the requests ECS may make for the action. */
  decision: Decision;
}

/** Evaluates every action of the managed TLS policy against a role's effective permissions (the shared judgement). */
export function tlsAccess(facts: Facts, policies: RolePolicies): TlsActionVerdict[] {
  const verdicts = useAccess(facts, policies, infrastructureUse("service-connect-tls"));
  return TLS_REQUIREMENTS.map((requirement) => ({
    requirement,
    decision: verdicts.find((v) => v.action === requirement.action)?.decision as Decision,
  }));
}
