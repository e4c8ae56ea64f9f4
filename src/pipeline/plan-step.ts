import type { Facts } from "../facts/types.ts";
import { applyPlan, changesManagedPolicies, plannedPolicyArns, plannedRoleNames } from "../plan/apply.ts";
import type { Plan } from "../plan/parse.ts";
import { readPlan } from "../plan/read.ts";
import type { FactsSource } from "./facts-source.ts";

/**
 * The plan gate's step in the pipeline: read the plan before anything is collected (it says which roles to read),
 * then apply its resource_changes to the gathered facts so the rules judge the after-state.
 */
export async function readPlanStep(file: string): Promise<{
  plan: Plan;
  source: (source: FactsSource) => FactsSource;
}> {
  const plan = await readPlan(file);
  const names = plannedRoleNames(plan);
  const policies = plannedPolicyArns(plan);
  const rewritesPolicies = changesManagedPolicies(plan);
  return {
    plan,
    source: (source) => {
      if (source.facts || source.snapshot) return source;
      const { clusters, services, tasks } = source.scope;
      // No other scope flag: the roles in scope are the plan's (and --role's), with ECS read in every cluster. A
      // rewritten managed policy reaches roles the plan does not name: then every role ECS uses is read too.
      const only = !clusters.length && !services.length && !tasks.length && !rewritesPolicies;
      return { ...source, collect: { ...source.collect, plannedRoles: { names, only, policies } } };
    },
  };
}

export function planStep(facts: Facts, plan: Plan): Facts {
  return { ...facts, plan: applyPlan(facts, plan) };
}
