import { ECS_SERVICE_PRINCIPAL } from "./ecs-requests.ts";
import { shellQuote } from "./fix-commands.ts";

/**
 * The PassRole grant AWS documents for the ECS infrastructure role (reference/aws-facts.md §7): the one document
 * every fix and snippet pastes, whether it names the deployer (pass-role) or cannot (a stuck task's likely cause).
 */

export const PASS_ROLE_POLICY_NAME = "PassEcsInfrastructureRole";

/** The policy document for one role ARN. */
export function passRolePolicy(roleArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Action: "iam:PassRole",
        Effect: "Allow",
        Resource: [roleArn],
        Condition: { StringEquals: { "iam:PassedToService": ECS_SERVICE_PRINCIPAL } },
      },
    ],
  };
}

/** `aws iam put-role-policy` / `put-user-policy` granting the document to a principal. */
export function grantPassRoleCommand(
  principal: { kind: "role" | "user"; name: string },
  roleArn: string,
): string {
  const document = shellQuote(JSON.stringify(passRolePolicy(roleArn)));
  return `aws iam put-${principal.kind}-policy --${principal.kind}-name ${shellQuote(principal.name)} --policy-name ${PASS_ROLE_POLICY_NAME} --policy-document ${document}`;
}
