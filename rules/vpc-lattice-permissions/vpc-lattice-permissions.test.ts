import { ACCOUNT, managed, policy } from "../../test/support/facts.ts";
import { testRule } from "../../test/support/rule-tester.ts";
import { copyWithout, USE_ROLE_ARN, useFacts, useRuleCases } from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const COPY = `arn:aws:iam::${ACCOUNT}:policy/copy`;
const shared = useRuleCases("vpc-lattice", "vpc-lattice:RegisterTargets");

testRule(rule, {
  valid: [...shared.valid],
  invalid: [
    ...shared.invalid,
    {
      name: "RegisterTargets allowed only on target groups tagged team=web (the customer's tags are unknown): unknown",
      facts: useFacts(
        "vpc-lattice",
        {
          attached: [COPY],
          inline: {
            tagged: policy({
              Effect: "Allow",
              Action: "vpc-lattice:RegisterTargets",
              Resource: "*",
              Condition: { StringEquals: { "aws:ResourceTag/team": "web" } },
            }),
          },
        },
        { policies: [managed(COPY, copyWithout("vpc-lattice", "vpc-lattice:RegisterTargets"))] },
      ),
      expect: { [USE_ROLE_ARN]: "unknown" },
      message: {
        [USE_ROLE_ARN]:
          /vpc-lattice:RegisterTargets allowed only if ECS's request meets conditions on aws:ResourceTag\/team/,
      },
    },
  ],
});
