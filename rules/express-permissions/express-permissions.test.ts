import { ACCOUNT, managed, policy } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import { copyWithout, USE_ROLE_ARN, useFacts, useRuleCases } from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const COPY = `arn:aws:iam::${ACCOUNT}:policy/copy`;
const shared = useRuleCases("express", "elasticloadbalancing:DeleteLoadBalancer");

testRule(rule, {
  valid: [...shared.valid],
  invalid: [
    ...shared.invalid,
    {
      name: "iam:CreateServiceLinkedRole only for Elastic Load Balancing (ECS also creates the scaling one): fail",
      facts: useFacts(
        "express",
        {
          attached: [COPY],
          inline: {
            slr: policy({
              Effect: "Allow",
              Action: "iam:CreateServiceLinkedRole",
              Resource: "*",
              Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
            }),
          },
        },
        { policies: [managed(COPY, copyWithout("express", "iam:CreateServiceLinkedRole"))] },
      ),
      expect: { [USE_ROLE_ARN]: "fail" },
      message: { [USE_ROLE_ARN]: /iam:CreateServiceLinkedRole not allowed by any policy/ },
    },
  ],
});
