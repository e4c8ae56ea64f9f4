import type { Facts, RoleFacts } from "../../src/facts/types.ts";

/**
 * The facts as they will be once a Terraform plan is applied, for judging one planned role: that role's after-state
 * and the managed policies with the plan's new documents (Facts.plan, filled by src/plan/) over today's.
 */
export function afterFacts(facts: Facts, role: RoleFacts): Facts {
  return {
    ...facts,
    roles: [role],
    managedPolicies: { ...facts.managedPolicies, ...(facts.plan?.managedPolicies ?? {}) },
  };
}
