/** Bool: "true"/"false", compared without regard to case. */

import { compareLiteral, globText, lowerSubject } from "../glob.ts";
import type { ConditionOperator } from "./operator.ts";

export const boolOperators: ConditionOperator[] = [
  {
    name: "Bool",
    compare: (policy, subject) => compareLiteral(globText(policy).toLowerCase(), lowerSubject(subject)),
    negated: false,
    variables: false,
  },
];
