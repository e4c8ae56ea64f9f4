/** Every supported base condition operator, looked up by name without regard to case. */

import { arnOperators } from "./arn.ts";
import { binaryOperators } from "./binary.ts";
import { boolOperators } from "./bool.ts";
import { dateOperators } from "./date.ts";
import { ipOperators } from "./ip.ts";
import { numericOperators } from "./numeric.ts";
import type { ConditionOperator } from "./operator.ts";
import { stringOperators } from "./string.ts";

const byLowerName = new Map<string, ConditionOperator>(
  [
    ...stringOperators,
    ...numericOperators,
    ...dateOperators,
    ...boolOperators,
    ...binaryOperators,
    ...ipOperators,
    ...arnOperators,
  ].map((op) => [op.name.toLowerCase(), op]),
);

/** The base operator named `name` (no prefix, no IfExists); undefined when unsupported. */
export function findOperator(name: string): ConditionOperator | undefined {
  return byLowerName.get(name.toLowerCase());
}
