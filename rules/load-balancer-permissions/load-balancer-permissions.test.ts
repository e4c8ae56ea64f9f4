import { ACCOUNT, managed, policy } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import { copyWithout, USE_ROLE_ARN, useFacts, useRuleCases } from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const COPY = `arn:aws:iam::${ACCOUNT}:policy/copy`;
const shared = useRuleCases("load-balancer", "elasticloadbalancing:ModifyRule");

testRule(rule, {
  valid: [...shared.valid],
  invalid: [
    ...shared.invalid,
    {
      name: "ModifyListener allowed only on listeners tagged AmazonECSManaged (the customer's, tags unknown): unknown",
      facts: useFacts(
        "load-balancer",
        {
          attached: [COPY],
          inline: {
            tagged: policy({
              Effect: "Allow",
              Action: "elasticloadbalancing:ModifyListener",
              Resource: "*",
              Condition: { StringEquals: { "aws:ResourceTag/AmazonECSManaged": "true" } },
            }),
          },
        },
        { policies: [managed(COPY, copyWithout("load-balancer", "elasticloadbalancing:ModifyListener"))] },
      ),
      expect: { [USE_ROLE_ARN]: "unknown" },
      message: { [USE_ROLE_ARN]: /elasticloadbalancing:ModifyListener allowed only if ECS's request meets/ },
    },
  ],
});
