import { VOLUMES_POLICY_NAME } from "../../src/analysis/fix-commands.ts";
import { ATTACH_CLI, attachmentTf } from "../../src/analysis/role-templates.ts";
import { TLS_POLICY_NAME, tlsPolicyArn } from "../../src/analysis/tls-requests.ts";
import type { RemediationSnippets } from "../../src/engine/rule.ts";

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
