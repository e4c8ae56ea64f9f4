import { parseArn } from "../arn/arn.ts";
import {
  applyChanges,
  changesManagedPolicies,
  plannedPolicyArns,
  plannedRoleNames,
} from "../changes/apply.ts";
import { changeSetChanges } from "../changes/cloudformation/adapter.ts";
import { stackDeletionList } from "../changes/cloudformation/stack-deletion.ts";
import { CHANGE_FILE_FORMATS } from "../changes/formats.ts";
import type { ChangeList } from "../changes/model.ts";
import { readChangeFile } from "../changes/read.ts";
import type { AwsSettings } from "../collect/clients.ts";
import { InputError } from "../errors.ts";
import type { Facts } from "../facts/types.ts";
import type { Logger } from "../log.ts";
import type { FactsSource } from "./facts-source.ts";

/**
 * The change gate's step in the pipeline: read the change before anything is collected (it says which roles to
 * read), then apply it to the gathered facts so the rules judge the after-state. The change is a file (a Terraform
 * plan or a change set, told by content), a change set described live, or a stack's deletion.
 */

export interface ChangeInput {
  /** `--plan FILE`. */
  plan?: string;
  /** `--change-set NAME_OR_ARN [--stack STACK]`. */
  changeSet?: { name: string; stack?: string };
  /** `--before-stack-delete STACK`. */
  beforeStackDelete?: string;
  /** `--template FILE`: the template a CloudFormation change's stack is deployed from, named in its locations. */
  template?: string;
}

export function wantsChange(input: ChangeInput): boolean {
  return input.plan !== undefined || input.changeSet !== undefined || input.beforeStackDelete !== undefined;
}

async function readList(input: ChangeInput, aws: AwsSettings | undefined, log?: Logger): Promise<ChangeList> {
  if (input.plan) return readChangeFile(input.plan, CHANGE_FILE_FORMATS);
  const live = input.changeSet ? "--change-set" : "--before-stack-delete";
  if (!aws)
    throw new InputError(
      `${live} describes the stack in AWS, so it cannot be combined with --snapshot; save the change set as JSON (aws cloudformation describe-change-set --include-property-values --output json) and pass it with --plan`,
    );
  const cloudformation = await import("../collect/cloudformation.ts");
  if (input.changeSet) {
    const reading = await cloudformation.describeLiveChangeSet(
      aws,
      { changeSet: input.changeSet.name, ...(input.changeSet.stack ? { stack: input.changeSet.stack } : {}) },
      log,
    );
    return changeSetChanges(reading, input.template ? { template: input.template } : {});
  }
  return stackDeletionList(await cloudformation.readStackDeletion(aws, input.beforeStackDelete ?? "", log));
}

/** The root stack's changes name the template file they come from. */
function withTemplate(list: ChangeList, template: string | undefined): ChangeList {
  if (!template) return list;
  const source = list.source;
  if (source.format !== "cloudformation")
    throw new InputError(
      `--template ${template}: names a CloudFormation template, but the change is a Terraform plan`,
    );
  const mark = (t: ChangeList["touches"][number]) =>
    t.change.location.format === "cloudformation" && t.change.location.stack === source.stack
      ? { ...t, change: { ...t.change, location: { ...t.change.location, template } } }
      : t;
  return { ...list, source: { ...source, template }, touches: list.touches.map(mark) };
}

export async function readChangeStep(
  input: ChangeInput,
  aws?: AwsSettings,
  log?: Logger,
): Promise<{ changes: ChangeList; source: (source: FactsSource) => FactsSource }> {
  const changes = withTemplate(await readList(input, aws, log), input.template);
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

/** A change set is one account's: judged against another account's facts it would say nothing true. */
function refuseOtherAccount(facts: Facts, changes: ChangeList): void {
  const source = changes.source;
  if (source.format !== "cloudformation" || !facts.caller.ok) return;
  const account = parseArn(source.stackId ?? source.changeSetId ?? "")?.account;
  const caller = facts.caller.value.account;
  if (account && account !== caller) {
    const what = source.file ? `--plan ${source.file}` : `the change set of stack ${source.stack}`;
    throw new InputError(
      `${what}: the change set is of account ${account}, but the facts are of account ${caller}; run the check with credentials for account ${account}`,
    );
  }
}

export function changeStep(facts: Facts, changes: ChangeList): Facts {
  refuseOtherAccount(facts, changes);
  return { ...facts, plan: applyChanges(facts, changes) };
}
