import type { Decision } from "../iam/types.ts";
import type { PrincipalPolicies } from "./principal-policies.ts";
import { editManagedPolicyCommands, shellQuote } from "./remediation.ts";

/** Copy-paste fixes for a principal that may not pass an infrastructure role to ECS. */

export const PASS_ROLE_POLICY_NAME = "PassEcsInfrastructureRole";

/** The PassRole policy AWS documents for the ECS infrastructure role (reference/aws-facts.md §7), for one role ARN. */
export function passRolePolicy(roleArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Action: "iam:PassRole",
        Effect: "Allow",
        Resource: [roleArn],
        Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
      },
    ],
  };
}

/** `aws iam put-role-policy` / `put-user-policy` granting the documented policy to the principal. */
export function grantPassRoleCommand(
  principal: Pick<PrincipalPolicies, "kind" | "name">,
  roleArn: string,
): string {
  const document = shellQuote(JSON.stringify(passRolePolicy(roleArn)));
  return `aws iam put-${principal.kind}-policy --${principal.kind}-name ${shellQuote(principal.name)} --policy-name ${PASS_ROLE_POLICY_NAME} --policy-document ${document}`;
}

function editInline(
  holder: { kind: string; name: string },
  policyName: string,
  sid: string | undefined,
): string {
  const flag = `--${holder.kind}-name ${shellQuote(holder.name)} --policy-name ${shellQuote(policyName)}`;
  return [
    `aws iam get-${holder.kind}-policy ${flag} --query PolicyDocument > policy.json`,
    `# edit policy.json: remove or narrow ${sid ? `statement "${sid}"` : "the denying statement"} so it no longer denies iam:PassRole on the role`,
    `aws iam put-${holder.kind}-policy ${flag} --policy-document file://policy.json`,
  ].join("\n");
}

/**
 * The fix aimed at what decided: the denying statement; else the missing grant (`identityAlone` is the decision of
 * the identity policies without the boundary) and the boundary that leaves iam:PassRole out.
 */
export function passRoleFix(
  principal: PrincipalPolicies,
  decision: Decision,
  identityAlone: Decision,
  roleArn: string,
): string {
  const deny = decision.statements.find((s) => s.effect === "Deny");
  if (decision.decision === "explicit-deny" && deny) {
    const holder = principal.holders.get(deny.source) ?? principal;
    return deny.source.kind === "inline"
      ? editInline(holder, deny.source.name, deny.sid)
      : editManagedPolicyCommands(deny.source.arn ?? deny.source.name, deny.source.versionId, deny.sid);
  }
  const fixes: string[] = [];
  if (identityAlone.decision !== "allow") fixes.push(grantPassRoleCommand(principal, roleArn));
  const boundary = principal.boundary?.[0]?.source;
  if (decision.boundary === "implicit-deny" && boundary?.arn) {
    fixes.push(
      `# the permissions boundary ${boundary.arn} does not allow iam:PassRole on ${roleArn}: extend it, or remove the boundary:`,
      editManagedPolicyCommands(boundary.arn, boundary.versionId, undefined),
      `# or: aws iam delete-${principal.kind}-permissions-boundary --${principal.kind}-name ${shellQuote(principal.name)}`,
    );
  }
  return fixes.length ? fixes.join("\n") : grantPassRoleCommand(principal, roleArn);
}
