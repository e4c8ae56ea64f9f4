import type { Decision, StatementRef } from "../iam/types.ts";

/** `inline policy "p" (Sid S)`, `managed policy arn:… v3 (statement 2)`: how a person finds the statement. */
export function describeStatement(ref: StatementRef): string {
  const { source } = ref;
  const where =
    source.kind === "inline"
      ? `inline policy "${source.name}"`
      : source.kind === "trust"
        ? "the trust policy"
        : `${source.kind === "boundary" ? "permissions boundary" : "managed policy"} ${source.arn ?? source.name}${source.versionId ? ` (${source.versionId})` : ""}`;
  return `${where} ${ref.sid ? `Sid "${ref.sid}"` : `statement ${ref.index + 1}`}`;
}

/** The statements and undecided conditions of a decision, as JSON for a finding's details. */
export function decisionDetails(decision: Decision) {
  return {
    decision: decision.decision,
    statements: decision.statements.map((s) => ({
      policy: s.source.arn ?? s.source.name,
      policyType: s.source.kind,
      ...(s.source.versionId ? { versionId: s.source.versionId } : {}),
      ...(s.sid ? { sid: s.sid } : {}),
      index: s.index,
      effect: s.effect,
    })),
    ...(decision.undecided.length
      ? {
          undecided: decision.undecided.map((u) => ({
            statement: describeStatement(u.statement),
            keys: u.keys,
            reason: u.reason,
          })),
        }
      : {}),
    ...(decision.boundary ? { boundary: decision.boundary } : {}),
    ...(decision.absentKeyConditions
      ? {
          absentKeyConditions: decision.absentKeyConditions.map((a) => ({
            statement: describeStatement(a.statement),
            conditions: a.conditions.map((c) => `${c.operator} ${c.key}`),
          })),
        }
      : {}),
  };
}

/**
 * Why a denial turned on keys the request never carries, for a message: the Allows that do not apply ("its condition
 * needs aws:ResourceTag/AmazonECSManaged, which a DescribeVolumes request never carries"), or the Denies that do.
 * Empty when the decision names none.
 */
export function absentKeyReasons(decision: Decision, action: string): string[] {
  // "ec2:DescribeVolumes" -> "a DescribeVolumes request", as the API names it.
  const request = `a ${action.slice(action.indexOf(":") + 1)} request`;
  return (decision.absentKeyConditions ?? []).map(({ statement, conditions }) => {
    const keys = joinAnd([...new Set(conditions.map((c) => c.key))]);
    return statement.effect === "Allow"
      ? `${describeStatement(statement)} does not apply: its condition needs ${keys}, which ${request} never carries`
      : `${describeStatement(statement)} applies: its condition ${joinAnd(conditions.map((c) => `${c.operator} ${c.key}`))} holds, as ${request} never carries ${keys}`;
  });
}

function joinAnd(items: string[]): string {
  return items.length < 2 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** Keys that made a decision conditional, deduplicated, for a one-line message. */
export function undecidedKeys(decision: Decision): string[] {
  return [...new Set(decision.undecided.flatMap((u) => u.keys))];
}

/** What a conditional decision hinges on, for a message: the condition keys, else the reasons (e.g. a resource). */
export function undecidedWhat(decision: Decision): string {
  const keys = undecidedKeys(decision);
  if (keys.length) return `conditions on ${keys.join(", ")}`;
  const reasons = [...new Set(decision.undecided.map((u) => u.reason).filter(Boolean))];
  return reasons.length ? reasons.join("; ") : "statements the tool cannot decide";
}

/** Whether a conditional decision could still be an explicit Deny (a Deny statement is among the undecided). */
export function mayBeDenied(decision: Decision): boolean {
  return decision.undecided.some((u) => u.statement.effect === "Deny");
}
