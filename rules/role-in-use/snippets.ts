import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** role-in-use: an order of operations (users first, then the role), not a configuration. */
export const WAIT_FOR_USERS: RemediationSnippets = {
  awsCli: [
    "aws ecs delete-service --cluster CLUSTER --service SERVICE --force",
    "ecs-preflight wait --role ROLE",
  ].join("\n"),
  operational:
    "Changing or deleting a role still in use is safe only after its users are gone: this is an order of " +
    "operations, not a setting. docs/teardown.md shows the order in Terraform, CloudFormation and CDK.",
};
