import type { RemediationSnippets } from "../../src/engine/rule.ts";

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
