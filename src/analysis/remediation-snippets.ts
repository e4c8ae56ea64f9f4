import type { RemediationSnippets } from "../engine/types.ts";
import { ECS_TRUST_POLICY, VOLUMES_POLICY_NAME, volumesPolicyArn } from "./remediation.ts";
import { TLS_POLICY_NAME, tlsPolicyArn } from "./tls-requests.ts";

/**
 * The infrastructure role's fixes as configuration to paste, for the rule docs (`explain`, docs/rules, SARIF help):
 * the AWS CLI, a CloudFormation fragment (YAML, under Resources) and Terraform (AWS provider). NAME stands for the
 * role's name, as in the rules' remediation text.
 */

const TRUST_JSON = JSON.stringify(ECS_TRUST_POLICY);

const CFN_TRUST = `    AssumeRolePolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Sid: AllowAccessToECSForInfrastructureManagement
          Effect: Allow
          Principal:
            Service: ecs.amazonaws.com
          Action: sts:AssumeRole`;

const CFN_POLICY = `    ManagedPolicyArns:
      - !Sub arn:\${AWS::Partition}:iam::aws:policy/service-role/${VOLUMES_POLICY_NAME}`;

/** The whole role in CloudFormation, kept when the stack or the resource goes (its tasks may still need it). */
const CFN_ROLE = `EcsInfrastructureRole:
  Type: AWS::IAM::Role
  # A role deleted before the tasks that use it have stopped leaves them DEPROVISIONING: keep it.
  DeletionPolicy: Retain
  UpdateReplacePolicy: Retain
  Properties:
    RoleName: NAME
${CFN_TRUST}
${CFN_POLICY}`;

const TF_TRUST = `  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowAccessToECSForInfrastructureManagement"
      Effect    = "Allow"
      Principal = { Service = "ecs.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })`;

const TF_ATTACHMENT = `resource "aws_iam_role_policy_attachment" "ecs_infrastructure_volumes" {
  role       = aws_iam_role.ecs_infrastructure.name
  policy_arn = "arn:\${data.aws_partition.current.partition}:iam::aws:policy/service-role/${VOLUMES_POLICY_NAME}"
}

data "aws_partition" "current" {}`;

const TF_ROLE = `resource "aws_iam_role" "ecs_infrastructure" {
  name = "NAME"
${TF_TRUST}

  # A role deleted before the tasks that use it have stopped leaves them DEPROVISIONING.
  lifecycle {
    prevent_destroy = true
  }
}

${TF_ATTACHMENT}`;

const ATTACH_CLI = `aws iam attach-role-policy --role-name NAME --policy-arn ${volumesPolicyArn()}`;

/** role-exists: recreate the role, trusted by ECS, with the managed policy. */
export const RECREATE_ROLE: RemediationSnippets = {
  awsCli: `aws iam create-role --role-name NAME --assume-role-policy-document '${TRUST_JSON}'\n${ATTACH_CLI}`,
  cloudFormation: CFN_ROLE,
  terraform: TF_ROLE,
};

/** trust-policy: the documented trust policy, in place of the one the role has. */
export const RESTORE_TRUST: RemediationSnippets = {
  awsCli: `aws iam update-assume-role-policy --role-name NAME --policy-document '${TRUST_JSON}'`,
  cloudFormation: `EcsInfrastructureRole:\n  Type: AWS::IAM::Role\n  Properties:\n${CFN_TRUST}`,
  terraform: `resource "aws_iam_role" "ecs_infrastructure" {\n  name = "NAME"\n${TF_TRUST}\n}`,
};

/** volume-permissions, managed-policy: the managed policy attached (and nothing that denies its actions). */
export const ATTACH_VOLUMES_POLICY: RemediationSnippets = {
  awsCli: [
    ATTACH_CLI,
    "# then find what still denies ec2:DetachVolume, ec2:DeleteVolume or ec2:DescribeVolumes:",
    "aws iam list-role-policies --role-name NAME",
    "aws iam get-role --role-name NAME --query 'Role.PermissionsBoundary'",
  ].join("\n"),
  cloudFormation: `EcsInfrastructureRole:\n  Type: AWS::IAM::Role\n  Properties:\n${CFN_POLICY}`,
  terraform: TF_ATTACHMENT.replace(
    "aws_iam_role.ecs_infrastructure.name",
    '"NAME" # or aws_iam_role.ecs_infrastructure.name',
  ),
};

/** The reads ecs-preflight's own identity needs on ECS (ecs-scope reports what it could not read). */
const ECS_READS = [
  "ecs:ListClusters",
  "ecs:ListServices",
  "ecs:DescribeServices",
  "ecs:ListTasks",
  "ecs:DescribeTasks",
];
const ECS_READ_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: ECS_READS, Resource: "*" }],
};

export const GRANT_ECS_READS: RemediationSnippets = {
  awsCli: `aws iam put-role-policy --role-name TOOL_ROLE --policy-name ecs-preflight-ecs-reads --policy-document '${JSON.stringify(ECS_READ_POLICY)}'`,
  cloudFormation: `EcsPreflightEcsReads:
  Type: AWS::IAM::RolePolicy
  Properties:
    RoleName: TOOL_ROLE
    PolicyName: ecs-preflight-ecs-reads
    PolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action:
${ECS_READS.map((a) => `            - ${a}`).join("\n")}
          Resource: "*"`,
  terraform: `resource "aws_iam_role_policy" "ecs_preflight_ecs_reads" {
  name = "ecs-preflight-ecs-reads"
  role = "TOOL_ROLE"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = [${ECS_READS.map((a) => `"${a}"`).join(", ")}], Resource = "*" }]
  })
}`,
};

/** cloudtrail-errors: the refused calls are usually the volume permissions; read them, then fix the role. */
export const READ_FAILED_CALLS: RemediationSnippets = {
  ...ATTACH_VOLUMES_POLICY,
  awsCli: [
    "# what ECS was refused, newest first:",
    "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=ECSTaskVolumesForEBS " +
      "--output json | jq -r '.Events[].CloudTrailEvent | fromjson | select(.errorCode != null) | " +
      "[.eventTime, .eventName, .errorCode] | @tsv'",
    ATTACH_CLI,
  ].join("\n"),
};

/** tasks-deprovisioning: nothing about the task to configure; it moves on once its role is fixed. */
export const WATCH_STUCK_TASK: RemediationSnippets = {
  awsCli: [
    "# after fixing the cause the finding names, ECS retries; watch the task reach STOPPED:",
    "aws ecs describe-tasks --cluster CLUSTER --tasks TASK --query 'tasks[].[lastStatus,attachments]'",
  ].join("\n"),
  operational:
    "The task itself has nothing to configure: fix the cause the finding names with the snippets of role-exists, " +
    "trust-policy or volume-permissions, and ECS moves the task on to STOPPED and deletes its volume.",
};

/** leaked-volumes: deleting a volume left behind is an operation, not configuration. */
export const DELETE_LEAKED_VOLUME: RemediationSnippets = {
  awsCli: [
    "aws ec2 create-snapshot --volume-id vol-0123456789abcdef0 --description 'copy before deletion'",
    "aws ec2 delete-volume --volume-id vol-0123456789abcdef0",
  ].join("\n"),
  operational:
    "A leaked volume is deleted, not configured: no template changes it. Fix what leaked it first (role-exists, " +
    "trust-policy or volume-permissions have the configuration), or the next task leaves its volume too.",
};

function attachmentTf(resourceName: string, policyName: string): string {
  return `resource "aws_iam_role_policy_attachment" "${resourceName}" {
  role       = "NAME" # or aws_iam_role.ecs_infrastructure.name
  policy_arn = "arn:\${data.aws_partition.current.partition}:iam::aws:policy/service-role/${policyName}"
}`;
}

/** tls-permissions: the Service Connect TLS managed policy attached. */
export const ATTACH_TLS_POLICY: RemediationSnippets = {
  awsCli: `aws iam attach-role-policy --role-name NAME --policy-arn ${tlsPolicyArn()}`,
  cloudFormation: `EcsInfrastructureRole:
  Type: AWS::IAM::Role
  Properties:
    ManagedPolicyArns:
      - !Sub arn:\${AWS::Partition}:iam::aws:policy/service-role/${TLS_POLICY_NAME}`,
  terraform: `${attachmentTf("ecs_infrastructure_tls", TLS_POLICY_NAME)}\n\ndata "aws_partition" "current" {}`,
};

/** managed-policy: the managed policy of each use the role has (volumes, Service Connect TLS). */
export const ATTACH_MANAGED_POLICIES: RemediationSnippets = {
  awsCli: [
    "# for EBS volumes:",
    ATTACH_CLI,
    "# for Service Connect TLS:",
    `aws iam attach-role-policy --role-name NAME --policy-arn ${tlsPolicyArn()}`,
  ].join("\n"),
  cloudFormation: `EcsInfrastructureRole:
  Type: AWS::IAM::Role
  Properties:
    ManagedPolicyArns:
      - !Sub arn:\${AWS::Partition}:iam::aws:policy/service-role/${VOLUMES_POLICY_NAME}
      # only for a role used for Service Connect TLS:
      - !Sub arn:\${AWS::Partition}:iam::aws:policy/service-role/${TLS_POLICY_NAME}`,
  terraform: [
    attachmentTf("ecs_infrastructure_volumes", VOLUMES_POLICY_NAME),
    "# only for a role used for Service Connect TLS:",
    attachmentTf("ecs_infrastructure_tls", TLS_POLICY_NAME),
    'data "aws_partition" "current" {}',
  ].join("\n\n"),
};

const PASS_ROLE_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::ACCOUNT:role/NAME",
      Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
    },
  ],
};

/** pass-role: the deploying principal may pass the role to ECS (the policy AWS documents). */
export const GRANT_PASS_ROLE: RemediationSnippets = {
  awsCli: `aws iam put-role-policy --role-name DEPLOYER --policy-name PassEcsInfrastructureRole --policy-document '${JSON.stringify(PASS_ROLE_POLICY)}'`,
  cloudFormation: `PassEcsInfrastructureRole:
  Type: AWS::IAM::RolePolicy
  Properties:
    RoleName: DEPLOYER
    PolicyName: PassEcsInfrastructureRole
    PolicyDocument:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: iam:PassRole
          Resource: !GetAtt EcsInfrastructureRole.Arn
          Condition:
            StringEquals:
              iam:PassedToService: ecs.amazonaws.com`,
  terraform: `resource "aws_iam_role_policy" "pass_ecs_infrastructure_role" {
  name = "PassEcsInfrastructureRole"
  role = "DEPLOYER"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "iam:PassRole"
      Resource  = aws_iam_role.ecs_infrastructure.arn
      Condition = { StringEquals = { "iam:PassedToService" = "ecs.amazonaws.com" } }
    }]
  })
}`,
};

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
