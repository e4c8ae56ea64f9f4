/** ArnEquals, ArnLike, ArnNotEquals, ArnNotLike: IAM treats Equals and Like alike (wildcards per component). */

import { compareArn } from "../arn.ts";
import { type ConditionOperator, operatorPair } from "./operator.ts";

export const arnOperators: ConditionOperator[] = [
  ...operatorPair("ArnEquals", "ArnNotEquals", compareArn, true),
  ...operatorPair("ArnLike", "ArnNotLike", compareArn, true),
];
