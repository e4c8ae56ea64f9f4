import { attachmentTf } from "../../src/analysis/role-templates.ts";
import { TLS_POLICY_NAME, tlsPolicyArn } from "../../src/analysis/tls-requests.ts";
import type { RemediationSnippets } from "../../src/engine/rule.ts";

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
