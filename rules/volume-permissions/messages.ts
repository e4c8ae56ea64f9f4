import {
  absentKeyReasons,
  describeStatement,
  mayBeDenied,
  undecidedWhat,
} from "../../src/analysis/describe-decision.ts";
import { type Dependents, dependentsSentence } from "../../src/analysis/role-subject.ts";
import type { Decision } from "../../src/iam/types.ts";

/**
 * One line per action: what allows it, what denies it, or that nothing allows it (and why, when a key is absent).
 * `label` names the action as the line says it ("ec2:DetachVolume on the instance").
 */
export function explainAction(action: string, decision: Decision, label: string = action): string {
  const why = absentKeyReasons(decision, action);
  const because = why.length ? ` (${why.join("; ")})` : "";
  const by = decision.statements.map(describeStatement).join(", ");
  switch (decision.decision) {
    case "allow":
      return `${label} allowed by ${by}`;
    case "explicit-deny":
      return `${label} denied by ${by}${because}`;
    case "conditional":
      return mayBeDenied(decision)
        ? `${label} may be denied, depending on ${undecidedWhat(decision)}`
        : `${label} allowed only if ECS's request meets ${undecidedWhat(decision)}`;
    default:
      return decision.boundary === "implicit-deny" && decision.statements.length === 0
        ? `${label} not allowed by the permissions boundary${because}`
        : `${label} not allowed by any policy${because}`;
  }
}

/** The instance-side DetachVolume's gap, and for whom it matters. */
export function instanceGap(explanation: string, servesTasksOnInstances: boolean): string {
  const who = servesTasksOnInstances ? ": this role serves such tasks" : "; not for Fargate";
  return `${explanation} (needed when a task's volume is attached to an EC2 instance${who})`;
}

interface Refused {
  role: string;
  /** One clause per action not allowed (explainAction, instanceGap). */
  problems: readonly string[];
  dependents: Dependents;
}

const said = (d: Refused, consequence: string) =>
  `${d.role}: ${d.problems.join("; ")}.${consequence}${dependentsSentence(d.dependents)}`;

/** volume-permissions' wording, by message id (the status decides which). */
export const messages = {
  allowed: (d: { role: string }) => `${d.role} may detach, delete and describe ECS-managed volumes.`,
  refused: (d: Refused) =>
    said(d, " Stopping its tasks will leave them in DEPROVISIONING and leak their volumes."),
  unproven: (d: Refused) =>
    said(
      d,
      " The tool cannot prove ECS may do it: if not, stopping its tasks leaves them in DEPROVISIONING.",
    ),
  /** Only the instance-side detach, for a role not known to serve tasks on instances. */
  atRisk: (d: Refused) => said(d, ""),
};
