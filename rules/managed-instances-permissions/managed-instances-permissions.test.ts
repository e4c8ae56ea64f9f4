import { ACCOUNT, managed, policy } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import { copyWithout, USE_ROLE_ARN, useFacts, useRuleCases } from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const COPY = `arn:aws:iam::${ACCOUNT}:policy/copy`;
const shared = useRuleCases("managed-instances", "ec2:CreateFleet");

testRule(rule, {
  valid: [...shared.valid],
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
  ],
});
