import type { Fact, Facts, RoleDetail } from "../facts/types.ts";
import { evaluateTrust } from "../iam/evaluate.ts";
import type { Decision, Policy } from "../iam/types.ts";
import { parseArn } from "./arn.ts";
import { assumeRoleRequest } from "./ecs-requests.ts";
import { parsedPolicy } from "./role-policies.ts";

/** Context keys whose values model what ECS sends (unverified by AWS docs): failing on them alone is unprovable. */
const MODELLED_KEYS = ["aws:SourceAccount", "aws:SourceArn"];

export type ExistingRoleDetail = Extract<RoleDetail, { exists: true }>;

/**
 * Whether the role's trust policy lets ecs.amazonaws.com assume it for the account's own clusters, judged as the
 * trust-policy rule judges it: a policy that fails only on the modelled source keys is `conditional`, not denied.
 */
export function ecsTrustDecision(
  facts: Facts,
  detail: ExistingRoleDetail,
): Fact<{ decision: Decision; policy: Policy }> {
  const policy = parsedPolicy("iam:GetRole", detail.trustPolicy, { kind: "trust", name: "trust policy" });
  if (!policy.ok) return policy;
  const arn = parseArn(detail.arn);
  const request = assumeRoleRequest({
    partition: arn?.partition ?? "aws",
    region: facts.region,
    account: arn?.account ?? "",
    roleArn: detail.arn,
  });
  let decision = evaluateTrust(request, policy.value);
  if (decision.decision === "implicit-deny") {
    const context = Object.fromEntries(
      Object.entries(request.context).filter(([k]) => !MODELLED_KEYS.includes(k)),
    );
    const relaxed = evaluateTrust({ ...request, context }, policy.value);
    if (relaxed.decision === "conditional") decision = relaxed;
  }
  return { ok: true, value: { decision, policy: policy.value } };
}
