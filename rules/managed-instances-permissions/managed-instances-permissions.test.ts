import { ACCOUNT, managed, policy } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import {
  copyRequiringRequestTag,
  copyWithout,
  regionLock,
  USE_ROLE_ARN,
  useFacts,
  useRuleCases,
} from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const COPY = `arn:aws:iam::${ACCOUNT}:policy/copy`;
const shared = useRuleCases("managed-instances", "ec2:CreateFleet");

testRule(rule, {
  valid: [
    ...shared.valid,
    {
      name: "a Region lock (the role's Region) that exempts IAM: pass",
      facts: useFacts("managed-instances", { inline: { lock: regionLock("us-east-1", "iam:*") } }),
      expect: { [USE_ROLE_ARN]: "pass" },
    },
  ],
  invalid: [
    ...shared.invalid,
    {
      name: "iam:PassRole allowed only to ecs-tasks (ECS passes the instance role to EC2): fail naming it",
      facts: useFacts(
        "managed-instances",
        {
          attached: [COPY],
          inline: {
            pass: policy({
              Effect: "Allow",
              Action: "iam:PassRole",
              Resource: "*",
              Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
            }),
          },
        },
        { policies: [managed(COPY, copyWithout("managed-instances", "iam:PassRole"))] },
      ),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /iam:PassRole not allowed by any policy/ },
    },
    {
      name: "ec2:CreateFleet allowed on * only with aws:RequestTag: the subnets, AMIs and launch template it names carry no tags, fail",
      facts: useFacts(
        "managed-instances",
        ...copyRequiringRequestTag("managed-instances", "ec2:CreateFleet"),
      ),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /ec2:CreateFleet not allowed by any policy/ },
    },
    ...["iam:CreateServiceLinkedRole", "ec2:CreateLaunchTemplateVersion"].map((action) => ({
      name: `${action} allowed only with aws:RequestTag (the call carries no tags): fail naming it`,
      facts: useFacts("managed-instances", ...copyRequiringRequestTag("managed-instances", action)),
      expect: { [USE_ROLE_ARN]: "fail" as const },
      message: { [USE_ROLE_ARN]: new RegExp(`${action} not allowed by any policy`) },
    })),
    {
      name: "a Region lock to the role's Region (eu-west-1) denies iam:CreateServiceLinkedRole, sent to IAM in us-east-1: fail",
      facts: {
        ...useFacts("managed-instances", { inline: { lock: regionLock("eu-west-1") } }),
        region: "eu-west-1",
      },
      expect: { [USE_ROLE_ARN]: "fail" },
      message: {
        [USE_ROLE_ARN]: /^(?!.*ec2:CreateFleet).*iam:CreateServiceLinkedRole denied by .*RegionLock/,
      },
    },
  ],
});
