import type { Facts, RoleFacts } from "../../src/facts/types.ts";

/**
 * The facts as they will be once a change (a Terraform plan, a CloudFormation change set) has run, for judging one planned role: that role's after-state
 * and the managed policies with the plan's new documents (Facts.plan, filled by src/changes/) over today's.
 */
export function afterFacts(facts: Facts, role: RoleFacts): Facts {
  return {
    ...facts,
    roles: [role],
    managedPolicies: { ...facts.managedPolicies, ...(facts.plan?.managedPolicies ?? {}) },
  };
}
