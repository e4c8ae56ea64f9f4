import type { Facts } from "../facts/types.ts";
import { evaluateIdentity } from "../iam/evaluate.ts";
import type { Decision } from "../iam/types.ts";
import { parseArn } from "./arn.ts";
import { VOLUME_ACTIONS, type VolumeAction, volumeRequest } from "./ecs-requests.ts";
import type { RolePolicies } from "./role-policies.ts";

export interface ActionVerdict {
  action: VolumeAction;
  decision: Decision;
}

/** Evaluates the three volume actions ECS needs against a role's effective permissions. */
export function volumeAccess(facts: Facts, policies: RolePolicies): ActionVerdict[] {
  const loc = {
    partition: parseArn(policies.arn)?.partition ?? "aws",
    region: facts.region,
    account: policies.account,
    roleArn: policies.arn,
  };
  const set = { identity: policies.identity, ...(policies.boundary ? { boundary: policies.boundary } : {}) };
  return VOLUME_ACTIONS.map((action) => ({ action, decision: evaluateIdentity(volumeRequest(action, loc), set) }));
}
