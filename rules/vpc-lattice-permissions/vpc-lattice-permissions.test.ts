import { testRule } from "../../test/support/rule-tester.ts";
import { useRuleCases } from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const shared = useRuleCases("vpc-lattice", "vpc-lattice:RegisterTargets");

testRule(rule, {
  valid: [...shared.valid],
  invalid: [...shared.invalid],
});
