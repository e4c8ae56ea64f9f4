import { testRule } from "../../test/support/rule-tester.ts";
import { useRuleCases } from "../../test/support/use-cases.ts";
import rule from "./index.ts";

const shared = useRuleCases("express", "elasticloadbalancing:DeleteLoadBalancer");

testRule(rule, {
  valid: [...shared.valid],
  invalid: [...shared.invalid],
});
