import { CFN_TRUST, TF_TRUST, TRUST_JSON } from "../../src/analysis/role-templates.ts";
import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** trust-policy: the documented trust policy, in place of the one the role has. */
export const RESTORE_TRUST: RemediationSnippets = {
  awsCli: `aws iam update-assume-role-policy --role-name NAME --policy-document '${TRUST_JSON}'`,
  cloudFormation: `EcsInfrastructureRole:\n  Type: AWS::IAM::Role\n  Properties:\n${CFN_TRUST}`,
  terraform: `resource "aws_iam_role" "ecs_infrastructure" {\n  name = "NAME"\n${TF_TRUST}\n}`,
};
