import type { Facts } from "../facts/types.ts";
import { applyPlan, plannedPolicyArns, plannedRoleNames } from "../plan/apply.ts";
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
  return {
    plan,
    source: (source) => {
      if (source.facts || source.snapshot) return source;
      const { clusters, services, tasks } = source.scope;
      // No other scope flag: the roles in scope are the plan's (and --role's), with ECS read in every cluster.
      const only = !clusters.length && !services.length && !tasks.length;
      return { ...source, collect: { ...source.collect, plannedRoles: { names, only, policies } } };
    },
  };
}

export function planStep(facts: Facts, plan: Plan): Facts {
  return { ...facts, plan: applyPlan(facts, plan) };
}
