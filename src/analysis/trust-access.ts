import { parseArn } from "../arn/arn.ts";
import type { Fact, Facts, RoleDetail } from "../facts/types.ts";
import { evaluateTrust } from "../iam/evaluate.ts";
import type { Decision, Policy } from "../iam/types.ts";
import { assumeRoleRequest } from "./ecs-requests.ts";
import { parsedPolicy } from "./role-policies.ts";

export type ExistingRoleDetail = Extract<RoleDetail, { exists: true }>;

/**
 * Whether the role's trust policy lets ecs.amazonaws.com assume it for the account's own clusters, judged as the
 * trust-policy rule judges it.
 */
export function ecsTrustDecision(
  facts: Facts,
  detail: ExistingRoleDetail,
): Fact<{ decision: Decision; policy: Policy }> {
  const hit = judgedTrust.get(detail);
  if (hit && hit.trustPolicy === detail.trustPolicy && hit.arn === detail.arn && hit.region === facts.region)
    return hit.judged;
  const judged = judgeTrust(facts, detail);
  judgedTrust.set(detail, { trustPolicy: detail.trustPolicy, arn: detail.arn, region: facts.region, judged });
  return judged;
}

/**
 * The judgement per role detail: trust-policy, the use rules, the role diagnosis and the change gate each ask about
 * the same role, and the policy was parsed and evaluated again each time. Kept with what it was judged on (the trust
 * policy, the role's ARN, the Region), so a detail given another policy (a library caller's edit) is judged afresh.
 */
const judgedTrust = new WeakMap<
  ExistingRoleDetail,
  {
    trustPolicy: ExistingRoleDetail["trustPolicy"];
    arn: string;
    region: string;
    judged: Fact<{ decision: Decision; policy: Policy }>;
  }
>();

function judgeTrust(facts: Facts, detail: ExistingRoleDetail): Fact<{ decision: Decision; policy: Policy }> {
  const policy = parsedPolicy("iam:GetRole", detail.trustPolicy, { kind: "trust", name: "trust policy" });
  if (!policy.ok) return policy;
  const arn = parseArn(detail.arn);
  const request = assumeRoleRequest({
    partition: arn?.partition ?? "aws",
    region: facts.region,
    account: arn?.account ?? "",
    roleArn: detail.arn,
  });
  // A condition on another account fails whether ECS sends aws:SourceAccount (its own account) or not (the key
  // is absent): that is a fail, not a doubt.
  return { ok: true, value: { decision: evaluateTrust(request, policy.value), policy: policy.value } };
}
