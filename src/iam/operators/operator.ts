/** The shape every condition operator family shares. */

import type { Glob, Subject } from "../glob.ts";
import type { Truth } from "../truth.ts";

/** Compares one policy value with one request value ("maybe" when the request value is only a pattern). */
export type Compare = (policy: Glob, subject: Subject) => Truth;

/** A base condition operator, before any `ForAnyValue:`/`ForAllValues:` prefix or `IfExists` suffix. */
export interface ConditionOperator {
  /** Canonical name, e.g. "StringNotLike". */
  readonly name: string;
  /** The positive comparison; a negated operator holds when no policy value compares "yes". */
  readonly compare: Compare;
  readonly negated: boolean;
  /** Whether policy variables are substituted in this operator's values (String and Arn operators). */
  readonly variables: boolean;
}

/** An operator and its negation ("none of the values match"), sharing one comparison. */
export function operatorPair(
  name: string,
  negatedName: string,
  compare: Compare,
  variables: boolean,
): ConditionOperator[] {
  return [
    { name, compare, negated: false, variables },
    { name: negatedName, compare, negated: true, variables },
  ];
}
