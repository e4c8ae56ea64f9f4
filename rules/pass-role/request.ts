import { ECS_SERVICE_PRINCIPAL } from "../../src/analysis/ecs-requests.ts";
import type { RequestContext, RequestValue } from "../../src/iam/types.ts";

/**
 * The request a deployment makes when it names an infrastructure role in CreateService, UpdateService, RunTask or
 * StartTask: iam:PassRole on exactly that role, passed to ECS. What the principal is, it says; what varies per call
 * (iam:AssociatedResourceArn, the source IP, MFA, tags of the session) is left out, so a condition on it is undecided.
 */

const exact = (...values: string[]): RequestValue => ({ kind: "exact", values });

export interface PassingPrincipal {
  kind: "role" | "user";
  /** The IAM ARN with its path: aws:PrincipalArn of a role session is its role's ARN. */
  arn: string;
  account: string;
  name: string;
}

export function passRoleRequest(roleArn: string, principal: PassingPrincipal): RequestContext {
  return {
    action: "iam:PassRole",
    resource: exact(roleArn),
    context: {
      "iam:PassedToService": exact(ECS_SERVICE_PRINCIPAL),
      "aws:PrincipalArn": exact(principal.arn),
      "aws:PrincipalAccount": exact(principal.account),
      "aws:PrincipalType": exact(principal.kind === "user" ? "User" : "AssumedRole"),
      // Only an IAM user's requests carry aws:username (a role session's do not: it is left unknown).
      ...(principal.kind === "user" ? { "aws:username": exact(principal.name) } : {}),
    },
  };
}
