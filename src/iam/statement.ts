/** Whether one statement applies to a request: Action ∧ Principal ∧ Resource ∧ Condition, three-valued. */

import { evaluateConditions } from "./conditions.ts";
import type { ContextLookup } from "./context.ts";
import { matchResources, namesAction } from "./match.ts";
import { principalMatches } from "./principal.ts";
import { allOf, maybe, NO, not, type Outcome, YES } from "./truth.ts";
import type { ParsedStatement, RequestContext } from "./types.ts";

export interface StatementScope {
  request: RequestContext;
  /** The request action, lower-cased once per evaluation. */
  action: string;
  lookup: ContextLookup;
  /** Whether policy variables are substituted (false for Version 2008-10-17). */
  variables: boolean;
  /** Whether Principal/NotPrincipal take part (trust policies); identity policies ignore them. */
  principals: boolean;
}

/** Evaluates a statement's applicability; the action, cheapest and most selective, is checked first. */
export function statementApplies(s: ParsedStatement, scope: StatementScope): Outcome {
  const target = statementTargets(s, scope);
  if (target.truth === "no" || !s.condition) return target;
  return allOf([target, evaluateConditions(s.condition, scope.lookup, scope.variables)]);
}

/** Whether the statement names the request's action, principal (trust policies) and resource, its Condition aside. */
export function statementTargets(s: ParsedStatement, scope: StatementScope): Outcome {
  const { request, lookup, variables } = scope;
  if (!targetsAction(s, scope.action)) return NO;
  const parts: Outcome[] = [YES];
  if (scope.principals) parts.push(principalOutcome(s, request));
  if (s.resource) parts.push(matchResources(s.resource, request.resource, lookup, variables));
  else if (s.notResource) parts.push(not(matchResources(s.notResource, request.resource, lookup, variables)));
  return allOf(parts);
}

/** Whether the statement's Action (or NotAction) names the lower-cased action: the first and cheapest test. */
export function targetsAction(s: ParsedStatement, lowerAction: string): boolean {
  if (s.action) return namesAction(s.action, lowerAction);
  if (s.notAction) return !namesAction(s.notAction, lowerAction);
  return false;
}

function principalOutcome(s: ParsedStatement, request: RequestContext): Outcome {
  if (!request.principal) return s.principal || s.notPrincipal ? maybe("the request names no principal") : NO;
  if (s.principal) return principalMatches(s.principal, request.principal) ? YES : NO;
  if (s.notPrincipal) {
    if (principalMatches(s.notPrincipal, request.principal)) return NO;
    // AWS does not support NotPrincipal with Allow (and rejects it in trust policies): it never grants here.
    return s.effect === "Allow" ? maybe("NotPrincipal with Allow is not supported by AWS") : YES;
  }
  return NO;
}
