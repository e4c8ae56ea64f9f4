import { grantPassRoleCommand } from "../../src/analysis/pass-role-policy.ts";
import type { RemediationSnippets } from "../../src/engine/rule.ts";

/** pass-role: the deploying principal may pass the role to ECS (the policy AWS documents). */
export const GRANT_PASS_ROLE: RemediationSnippets = {
  awsCli: grantPassRoleCommand({ kind: "role", name: "DEPLOYER" }, "arn:aws:iam::ACCOUNT:role/NAME"),
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
