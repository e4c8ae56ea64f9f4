import {
  applyChanges,
  changesManagedPolicies,
  plannedPolicyArns,
  plannedRoleNames,
} from "../changes/apply.ts";
import { CHANGE_FILE_FORMATS } from "../changes/formats.ts";
import type { ChangeList } from "../changes/model.ts";
import { readChangeFile } from "../changes/read.ts";
import type { Facts } from "../facts/types.ts";
import type { FactsSource } from "./facts-source.ts";

/**
 * The change gate's step in the pipeline: read the change before anything is collected (it says which roles to
 * read), then apply it to the gathered facts so the rules judge the after-state.
 */

/** Where the change comes from: a file (a Terraform plan or a change set), described by content. */
export interface ChangeInput {
  plan?: string;
}

export async function readChangeStep(input: ChangeInput & { plan: string }): Promise<{
  changes: ChangeList;
  source: (source: FactsSource) => FactsSource;
}> {
  const changes = await readChangeFile(input.plan, CHANGE_FILE_FORMATS);
  return { changes, source: (source) => collectFor(source, changes) };
}

/**
 * With no other scope flag, the roles in scope are the change's (and --role's), with ECS read in every cluster. A
 * rewritten managed policy reaches roles the change does not name: then every role ECS uses is read too.
 */
function collectFor(source: FactsSource, changes: ChangeList): FactsSource {
  if (source.facts || source.snapshot) return source;
  const { clusters, services, tasks } = source.scope;
  const names = plannedRoleNames(changes);
  const policies = plannedPolicyArns(changes);
  const only = !clusters.length && !services.length && !tasks.length && !changesManagedPolicies(changes);
  return { ...source, collect: { ...source.collect, plannedRoles: { names, only, policies } } };
}

export function changeStep(facts: Facts, changes: ChangeList): Facts {
  return { ...facts, plan: applyChanges(facts, changes) };
}
