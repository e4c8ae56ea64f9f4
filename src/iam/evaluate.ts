/** Public evaluation entry points: a role's identity policies (with boundary), and a trust policy. */

import { contextLookup } from "./context.ts";
import { decide, type JudgedStatement } from "./decide.ts";
import { type StatementScope, statementApplies } from "./statement.ts";
import type { Decision, Policy, RequestContext, StatementRef } from "./types.ts";

interface Judged {
  allows: JudgedStatement[];
  denies: JudgedStatement[];
}

function judge(policies: readonly Policy[], common: Omit<StatementScope, "variables">): Judged {
  const judged: Judged = { allows: [], denies: [] };
  for (const policy of policies) {
    const scope: StatementScope = { ...common, variables: policy.version !== "2008-10-17" };
    for (const statement of policy.statements) {
      const ref: StatementRef = {
        source: policy.source,
        ...(statement.sid === undefined ? {} : { sid: statement.sid }),
        index: statement.index,
        effect: statement.effect,
      };
      const outcome = statementApplies(statement, scope);
      (statement.effect === "Deny" ? judged.denies : judged.allows).push({ ref, outcome });
    }
  }
  return judged;
}

function commonScope(request: RequestContext, principals: boolean): Omit<StatementScope, "variables"> {
  return {
    request,
    action: request.action.toLowerCase(),
    lookup: contextLookup(request.context),
    principals,
  };
}

/**
 * Decides whether a role's identity policies allow the request: an explicit Deny in any identity or boundary policy
 * wins; otherwise some identity Allow must apply and, when a boundary is given (non-empty), some boundary Allow too.
 * `boundary` on the result is the boundary's own decision. Never throws on parsed policies.
 */
export function evaluateIdentity(
  request: RequestContext,
  policies: { identity: Policy[]; boundary?: Policy[] },
): Decision {
  const scope = commonScope(request, false);
  const identity = judge(policies.identity, scope);
  if (!policies.boundary || policies.boundary.length === 0) return decide(identity.denies, [identity.allows]);
  const boundary = judge(policies.boundary, scope);
  const decision = decide([...identity.denies, ...boundary.denies], [identity.allows, boundary.allows]);
  return { ...decision, boundary: decide(boundary.denies, [boundary.allows]).decision };
}

/**
 * Decides whether a role's trust policy lets `request.principal` perform `request.action` (e.g. sts:AssumeRole):
 * statements must name the principal (Principal or NotPrincipal), the action and, when they have one, the resource
 * and condition. Explicit Deny wins.
 */
export function evaluateTrust(request: RequestContext, trust: Policy): Decision {
  const judged = judge([trust], commonScope(request, true));
  return decide(judged.denies, [judged.allows]);
}
