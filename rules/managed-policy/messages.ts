/** A managed policy a role's use calls for that is not attached, and whether its permissions are held anyway. */
export interface MissingPolicy {
  policy: string;
  heldOtherwise: boolean;
  /** The rule that decides whether the role works today. */
  decidedBy: string;
}

/** Which permissions the policy carries, as a sentence names them. */
type Said = MissingPolicy & { permissions: string };

const notAttached = (role: string) => (m: Said) =>
  m.heldOtherwise
    ? `${m.policy} is not attached to ${role}; the ${m.permissions} permissions are held through other policies, which AWS will not update when ECS needs more.`
    : `${m.policy} is not attached to ${role}, and the ${m.permissions} permissions are not all held another way (see ${m.decidedBy}).`;

/** managed-policy's wording, by message id. */
export const messages = {
  attached: (d: { role: string; policies: readonly string[] }) =>
    `${d.policies.join(" and ")} ${d.policies.length === 1 ? "is" : "are"} attached to ${d.role}.`,
  /** One sentence per policy not attached. */
  notAttached: (d: { role: string; missing: readonly Said[] }) =>
    d.missing.map(notAttached(d.role)).join(" "),
};
