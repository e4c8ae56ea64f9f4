/** Public evaluation entry points: a role's identity policies (with boundary), and a trust policy. */

import { absentKeyEntries } from "./conditions.ts";
import { contextLookup } from "./context.ts";
import { decide, type JudgedStatement } from "./decide.ts";
import { type StatementScope, statementApplies, statementTargets, targetsAction } from "./statement.ts";
import type {
  AbsentKeyCondition,
  Decision,
  ParsedStatement,
  Policy,
  RequestContext,
  StatementRef,
} from "./types.ts";

/** A judged statement with what is needed to explain it afterwards. */
interface Judgement extends JudgedStatement {
  statement: ParsedStatement;
  scope: StatementScope;
}

interface Judged {
  allows: Judgement[];
  denies: Judgement[];
}

function judge(policies: readonly Policy[], common: Omit<StatementScope, "variables">): Judged {
  const judged: Judged = { allows: [], denies: [] };
  for (const policy of policies) {
    const scope: StatementScope = { ...common, variables: policy.version !== "2008-10-17" };
    for (const statement of policy.statements) {
      // A statement that does not name the action is "no" and takes no part in the decision (decide() and the
      // absent-key explanations look only at statements that target the request): it is left out, unjudged.
      if (!targetsAction(statement, common.action)) continue;
      const ref: StatementRef = {
        source: policy.source,
        ...(statement.sid === undefined ? {} : { sid: statement.sid }),
        index: statement.index,
        effect: statement.effect,
      };
      const outcome = statementApplies(statement, scope);
      (statement.effect === "Deny" ? judged.denies : judged.allows).push({ ref, outcome, statement, scope });
    }
  }
  return judged;
}

function commonScope(request: RequestContext, principals: boolean): Omit<StatementScope, "variables"> {
  return {
    request,
    action: request.action.toLowerCase(),
    lookup: contextLookup(request.context, request.absentKeys),
    principals,
  };
}

/**
 * Names the statements a decided outcome turned on through keys the request does not carry: for implicit-deny, the
 * Allows that target the request but whose condition needs such a key; for explicit-deny, the applying Denies whose
 * condition holds on such a key. Computed only for denials, where a person needs the reason.
 */
function withAbsentKeyConditions(decision: Decision, judged: Judged[]): Decision {
  let found: AbsentKeyCondition[] = [];
  if (decision.decision === "implicit-deny") {
    found = judged.flatMap((j) =>
      j.allows.flatMap((a) => {
        if (a.outcome.truth !== "no" || !a.statement.condition) return [];
        const failing = absentKeyEntries(a.statement.condition, a.scope.lookup).filter((e) => !e.holds);
        if (failing.length === 0 || statementTargets(a.statement, a.scope).truth === "no") return [];
        return [{ statement: a.ref, conditions: failing.map(({ operator, key }) => ({ operator, key })) }];
      }),
    );
  } else if (decision.decision === "explicit-deny") {
    const applying = new Set(decision.statements);
    found = judged.flatMap((j) =>
      j.denies.flatMap((d) => {
        if (!applying.has(d.ref) || !d.statement.condition) return [];
        const holding = absentKeyEntries(d.statement.condition, d.scope.lookup).filter((e) => e.holds);
        return holding.length
          ? [{ statement: d.ref, conditions: holding.map(({ operator, key }) => ({ operator, key })) }]
          : [];
      }),
    );
  }
  return found.length ? { ...decision, absentKeyConditions: found } : decision;
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
  if (!policies.boundary || policies.boundary.length === 0)
    return withAbsentKeyConditions(decide(identity.denies, [identity.allows]), [identity]);
  const boundary = judge(policies.boundary, scope);
  const decision = decide([...identity.denies, ...boundary.denies], [identity.allows, boundary.allows]);
  return withAbsentKeyConditions(
    { ...decision, boundary: decide(boundary.denies, [boundary.allows]).decision },
    [identity, boundary],
  );
}

/**
 * Decides whether a role's trust policy lets `request.principal` perform `request.action` (e.g. sts:AssumeRole):
 * statements must name the principal (Principal or NotPrincipal), the action and, when they have one, the resource
 * and condition. Explicit Deny wins.
 */
export function evaluateTrust(request: RequestContext, trust: Policy): Decision {
  const judged = judge([trust], commonScope(request, true));
  return withAbsentKeyConditions(decide(judged.denies, [judged.allows]), [judged]);
}
