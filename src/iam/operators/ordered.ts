/** The six comparisons Numeric and Date operators share, over values parsed to numbers. */

import { globText, type Subject } from "../glob.ts";
import type { Truth } from "../truth.ts";
import type { Compare, ConditionOperator } from "./operator.ts";

/** Builds `<prefix>Equals`, `<prefix>NotEquals`, `<prefix>LessThan`, ... for a value parser. */
export function orderedOperators(
  prefix: string,
  parse: (text: string) => number | undefined,
): ConditionOperator[] {
  const by = (test: (request: number, policy: number) => boolean): Compare => {
    return (policy, subject) => compareParsed(parse(globText(policy)), subject, parse, test);
  };
  const equals = by((r, p) => r === p);
  return [
    { name: `${prefix}Equals`, compare: equals, negated: false, variables: false },
    { name: `${prefix}NotEquals`, compare: equals, negated: true, variables: false },
    { name: `${prefix}LessThan`, compare: by((r, p) => r < p), negated: false, variables: false },
    { name: `${prefix}LessThanEquals`, compare: by((r, p) => r <= p), negated: false, variables: false },
    { name: `${prefix}GreaterThan`, compare: by((r, p) => r > p), negated: false, variables: false },
    { name: `${prefix}GreaterThanEquals`, compare: by((r, p) => r >= p), negated: false, variables: false },
  ];
}

function compareParsed(
  policy: number | undefined,
  subject: Subject,
  parse: (text: string) => number | undefined,
  test: (request: number, policy: number) => boolean,
): Truth {
  // A pattern stands for many values, some of which may compare either way.
  if (subject.kind === "pattern") return "maybe";
  const request = parse(subject.text);
  // A value of the wrong type never matches, as in IAM.
  if (policy === undefined || request === undefined) return "no";
  return test(request, policy) ? "yes" : "no";
}
