import {
  ATTACH_CLI,
  CFN_POLICY,
  CFN_TRUST,
  TF_ATTACHMENT,
  TF_TRUST,
  TRUST_JSON,
} from "../../src/analysis/role-templates.ts";
import type { RemediationSnippets } from "../../src/engine/rule.ts";

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

const TF_ROLE = `resource "aws_iam_role" "ecs_infrastructure" {
  name = "NAME"
${TF_TRUST}

  # A role deleted before the tasks that use it have stopped leaves them DEPROVISIONING.
  lifecycle {
    prevent_destroy = true
  }
}

${TF_ATTACHMENT}`;

/** role-exists: recreate the role, trusted by ECS, with the managed policy. */
export const RECREATE_ROLE: RemediationSnippets = {
  awsCli: `aws iam create-role --role-name NAME --assume-role-policy-document '${TRUST_JSON}'\n${ATTACH_CLI}`,
  cloudFormation: CFN_ROLE,
  terraform: TF_ROLE,
};
