import { editManagedPolicyCommands, shellQuote } from "../../src/analysis/fix-commands.ts";
import { grantPassRoleCommand } from "../../src/analysis/pass-role-policy.ts";
import type { Decision } from "../../src/iam/types.ts";
import type { PrincipalPolicies } from "./principal-policies.ts";

/** Copy-paste fixes for a principal that may not pass an infrastructure role to ECS. */

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
export function principalPassRoleFix(
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
