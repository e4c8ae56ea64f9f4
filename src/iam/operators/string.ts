/** StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike. */

import { compareGlob, compareLiteral, globText, lowerSubject } from "../glob.ts";
import { type ConditionOperator, operatorPair } from "./operator.ts";

export const stringOperators: ConditionOperator[] = [
  ...operatorPair("StringEquals", "StringNotEquals", (p, s) => compareLiteral(globText(p), s), true),
  ...operatorPair(
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    (p, s) => compareLiteral(globText(p).toLowerCase(), lowerSubject(s)),
    true,
  ),
  ...operatorPair("StringLike", "StringNotLike", compareGlob, true),
];
