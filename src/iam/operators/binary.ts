/** BinaryEquals: base64 values compared byte for byte, i.e. as exact strings. */

import { compareLiteral, globText } from "../glob.ts";
import type { ConditionOperator } from "./operator.ts";

export const binaryOperators: ConditionOperator[] = [
  {
    name: "BinaryEquals",
    compare: (policy, subject) => compareLiteral(globText(policy), subject),
    negated: false,
    variables: false,
  },
];
