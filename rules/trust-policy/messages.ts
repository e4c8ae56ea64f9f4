import { describeStatement } from "../../src/analysis/describe-decision.ts";
import { ECS_SERVICE_PRINCIPAL } from "../../src/analysis/ecs-requests.ts";
import { type Dependents, dependentsSentence } from "../../src/analysis/role-subject.ts";
import type { StatementRef } from "../../src/iam/types.ts";

interface Judged {
  role: string;
  /** What breaks when ECS cannot assume the role (by its uses). */
  breaks: string;
  dependents: Dependents;
}

const statements = (refs: readonly StatementRef[]) => refs.map(describeStatement).join(", ");

/** trust-policy's wording, by message id. */
export const messages = {
  allowed: (d: { role: string; statements: readonly StatementRef[] }) =>
    `${ECS_SERVICE_PRINCIPAL} may assume ${d.role} (${statements(d.statements)}).`,
  /** A Deny that may apply: nothing then proves ECS can assume the role. */
  mayDeny: (d: Judged & { undecided: string }) =>
    `The trust policy of ${d.role} may deny ${ECS_SERVICE_PRINCIPAL}, depending on ${d.undecided}: the tool cannot tell whether ECS can assume it.${dependentsSentence(d.dependents)}`,
  /** An Allow whose condition ECS may or may not meet. */
  unproven: (d: Judged & { undecided: string }) =>
    `Cannot prove ECS meets the trust policy's ${d.undecided} of ${d.role}: if it does not, ${d.breaks}.${dependentsSentence(d.dependents)}`,
  denied: (d: Judged & { statements: readonly StatementRef[] }) =>
    `The trust policy of ${d.role} denies ${ECS_SERVICE_PRINCIPAL} sts:AssumeRole (${statements(d.statements)}): ${d.breaks}.${dependentsSentence(d.dependents)}`,
  notAllowed: (d: Judged) =>
    `The trust policy of ${d.role} does not allow ${ECS_SERVICE_PRINCIPAL} to assume it: ${d.breaks}.${dependentsSentence(d.dependents)}`,
};
