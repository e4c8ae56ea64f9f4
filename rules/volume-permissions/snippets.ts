import { ATTACH_CLI, CFN_VOLUMES_POLICY, TF_VOLUMES_POLICY } from "../../src/analysis/role-templates.ts";
import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** volume-permissions, managed-policy: the managed policy attached (and nothing that denies its actions). */
export const ATTACH_VOLUMES_POLICY: RemediationSnippets = {
  awsCli: [
    ATTACH_CLI,
    "# then find what still denies ec2:DetachVolume, ec2:DeleteVolume or ec2:DescribeVolumes:",
    "aws iam list-role-policies --role-name NAME",
    "aws iam get-role --role-name NAME --query 'Role.PermissionsBoundary'",
  ].join("\n"),
  cloudFormation: CFN_VOLUMES_POLICY,
  terraform: TF_VOLUMES_POLICY,
};
