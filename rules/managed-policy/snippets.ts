import { INFRASTRUCTURE_USES, usePolicyArn } from "../../src/analysis/infrastructure-uses.ts";
import { attachmentTf } from "../../src/analysis/role-templates.ts";
import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** managed-policy: the managed policy of each use the role has (volumes, Service Connect TLS, and the others). */
export const ATTACH_MANAGED_POLICIES: RemediationSnippets = {
  awsCli: INFRASTRUCTURE_USES.map(
    (u, i) =>
      `# ${i === 0 ? "" : "only "}for ${u.label}:\naws iam attach-role-policy --role-name NAME --policy-arn ${usePolicyArn(u)}`,
  ).join("\n"),
  cloudFormation: `EcsInfrastructureRole:
  Type: AWS::IAM::Role
  Properties:
    ManagedPolicyArns:
${INFRASTRUCTURE_USES.map(
  (u, i) =>
    `${i === 0 ? "" : `      # only for a role used for ${u.label}:\n`}      - !Sub arn:\${AWS::Partition}:iam::aws:policy${u.policy.path}${u.policy.name}`,
).join("\n")}`,
  terraform: [
    ...INFRASTRUCTURE_USES.map(
      (u, i) =>
        `${i === 0 ? "" : `# only for a role used for ${u.label}:\n`}${attachmentTf(`ecs_infrastructure_${u.id.replaceAll("-", "_")}`, u.policy.name, u.policy.path)}`,
    ),
    'data "aws_partition" "current" {}',
  ].join("\n\n"),
};
