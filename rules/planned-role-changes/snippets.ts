import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** planned-role-changes: apply the change in two steps, users first; Terraform and CloudFormation can keep the role. */
export const TWO_STEP_APPLY: RemediationSnippets = {
  awsCli: [
    "aws ecs delete-service --cluster CLUSTER --service SERVICE --force",
    "ecs-preflight wait --role ROLE",
    "# then apply the role change (terraform apply, aws cloudformation execute-change-set, or delete-stack)",
  ].join("\n"),
  cloudFormation: `InfraRole:
  Type: AWS::IAM::Role
  # A stack deletion or a Remove keeps the role; delete it once \`ecs-preflight wait --role ROLE\` says nothing uses it.
  DeletionPolicy: Retain
  # A replacement (a new RoleName or Path) keeps the old role, so running tasks keep their permissions.
  UpdateReplacePolicy: Retain
  Properties:
    RoleName: ROLE
    AssumeRolePolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: { Service: ecs.amazonaws.com }
          Action: sts:AssumeRole
    ManagedPolicyArns:
      - !Sub arn:\${AWS::Partition}:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes`,
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
    "The fix is an order of changes, not a setting: the services and tasks that use the role go first, then the " +
    "role changes (two applies, two change sets, or the services before the stack). A change that keeps ECS's " +
    "access (an equivalent policy, the ecs.amazonaws.com trust) passes as it is.",
};
