import { ECS_TRUST_POLICY, VOLUMES_POLICY_NAME, volumesPolicyArn } from "./fix-commands.ts";

/**
 * The infrastructure role's configuration as fragments the rules' snippets share (`explain`, docs/rules, SARIF
 * help): its trust policy and the volumes policy attached, in the AWS CLI, CloudFormation (YAML, under Resources) and
 * Terraform (AWS provider). NAME stands for the role's name, as in the rules' remediation text.
 */

export const TRUST_JSON = JSON.stringify(ECS_TRUST_POLICY);

export const CFN_TRUST = `    AssumeRolePolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Sid: AllowAccessToECSForInfrastructureManagement
          Effect: Allow
          Principal:
            Service: ecs.amazonaws.com
          Action: sts:AssumeRole`;

export const CFN_POLICY = `    ManagedPolicyArns:
      - !Sub arn:\${AWS::Partition}:iam::aws:policy/service-role/${VOLUMES_POLICY_NAME}`;

export const TF_TRUST = `  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowAccessToECSForInfrastructureManagement"
      Effect    = "Allow"
      Principal = { Service = "ecs.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })`;

export const TF_ATTACHMENT = `resource "aws_iam_role_policy_attachment" "ecs_infrastructure_volumes" {
  role       = aws_iam_role.ecs_infrastructure.name
  policy_arn = "arn:\${data.aws_partition.current.partition}:iam::aws:policy/service-role/${VOLUMES_POLICY_NAME}"
}

data "aws_partition" "current" {}`;

export const ATTACH_CLI = `aws iam attach-role-policy --role-name NAME --policy-arn ${volumesPolicyArn()}`;

/** The volumes policy attached to the role: in CloudFormation, and in Terraform (volume-permissions, cloudtrail-errors). */
export const CFN_VOLUMES_POLICY = `EcsInfrastructureRole:\n  Type: AWS::IAM::Role\n  Properties:\n${CFN_POLICY}`;
export const TF_VOLUMES_POLICY = TF_ATTACHMENT.replace(
  "aws_iam_role.ecs_infrastructure.name",
  '"NAME" # or aws_iam_role.ecs_infrastructure.name',
);

/** A managed policy attached to the role, in Terraform. */
export function attachmentTf(resourceName: string, policyName: string, path = "/service-role/"): string {
  return `resource "aws_iam_role_policy_attachment" "${resourceName}" {
  role       = "NAME" # or aws_iam_role.ecs_infrastructure.name
  policy_arn = "arn:\${data.aws_partition.current.partition}:iam::aws:policy${path}${policyName}"
}`;
}
