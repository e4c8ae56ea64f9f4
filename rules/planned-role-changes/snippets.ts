import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** planned-role-changes: apply the change in two steps, users first; Terraform can refuse to destroy the role. */
export const TWO_STEP_APPLY: RemediationSnippets = {
  awsCli: [
    "aws ecs delete-service --cluster CLUSTER --service SERVICE --force",
    "ecs-preflight wait --role ROLE",
    "# then apply the role change (terraform apply)",
  ].join("\n"),
  terraform: `# 1. terraform apply -target=aws_ecs_service.NAME   (the services that use the role go first)
# 2. ecs-preflight wait --role ROLE                  (until no task holds it)
# 3. terraform apply                                 (then the role changes)
resource "aws_iam_role" "ecs_infrastructure" {
  name = "NAME"
  # ...
  lifecycle {
    prevent_destroy = true # a plan that deletes the role fails until this is removed, on purpose
  }
}`,
  operational:
    "The fix is an order of applies, not a setting: the services and tasks that use the role go first, then the " +
    "role changes. A plan that keeps ECS's access (an equivalent policy, the ecs.amazonaws.com trust) passes as it is.",
};
