import { type Dependents, dependentsSentence } from "../../src/analysis/role-subject.ts";

/** role-exists' wording, by message id. */
export const messages = {
  /** The role is gone: what breaks (`breaks`, by the role's uses) and who depends on it. */
  gone: (d: { role: string; breaks: string; dependents: Dependents }) =>
    `Role ${d.role} does not exist: ${d.breaks}.${dependentsSentence(d.dependents)}`,
  exists: (d: { role: string }) => `Role ${d.role} exists.`,
};
