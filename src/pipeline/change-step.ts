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
import type { ChangeInput } from "./change-input.ts";
import type { FactsSource } from "./facts-source.ts";

/**
 * The change gate's step in the pipeline: read the change before anything is collected (it says which roles to
 * read), then apply it to the gathered facts so the rules judge the after-state. The change is a file (a Terraform
 * plan or a change set, told by content), a change set described live, or a stack's deletion.
 */

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

/** Where a CloudFormation change lives: its stack's account and Region (a Terraform plan says neither reliably). */
export function changeHome(changes: ChangeList): { account?: string; region?: string } {
  const source = changes.source;
  if (source.format !== "cloudformation") return {};
  const arn = parseArn(source.stackId ?? source.changeSetId ?? "");
  return {
    ...(arn?.account ? { account: arn.account } : {}),
    ...(arn?.region ? { region: arn.region } : {}),
  };
}

function changeName(changes: ChangeList): string {
  const source = changes.source;
  if (source.format !== "cloudformation") return "the plan";
  if (source.file) return `--plan ${source.file}`;
  return source.kind === "stack-deletion"
    ? `--before-stack-delete ${source.stack}`
    : `the change set of stack ${source.stack}`;
}

/** A change set is one account's: judged against another account's facts it would say nothing true. */
function refuseOtherAccount(facts: Facts, changes: ChangeList): void {
  const account = changeHome(changes).account;
  if (!account || !facts.caller.ok) return;
  const caller = facts.caller.value.account;
  if (account !== caller)
    throw new InputError(
      `${changeName(changes)}: the change set is of account ${account}, but the facts are of account ${caller}; run the check with credentials for account ${account} (--profile)`,
    );
}

/**
 * A change set is one Region's: its stack's services, tasks and whatever else is regional are there. Judged only
 * against Regions that are not its own, a pass would say nothing about them, so the Region must be among those the
 * check reads (`read`: the Regions of this run; `what`: how to say them).
 */
export function refuseOtherRegion(
  changes: ChangeList,
  read: readonly string[],
  what = "the check reads",
): void {
  const region = changeHome(changes).region;
  if (!region || read.includes(region)) return;
  const fix = read.length > 1 ? `add ${region} to --regions` : `run it with --region ${region}`;
  throw new InputError(
    `${changeName(changes)}: the change set is in ${region}, but ${what} ${read.join(", ")}; ${fix}`,
  );
}

export interface ChangeStepOptions {
  /** Every Region this run reads (one target each, --regions); a change set's own must be among them. */
  regions?: readonly string[];
  /** The facts are a snapshot's: the refusal then names it. */
  snapshot?: string;
}

/**
 * Applies the change to one account-Region's facts. IAM is global, so a change set's role changes are judged in
 * every Region read (a task in another Region may hold the same role); what is regional (the ECS services its
 * stack deletes) only in its own.
 */
export function changeStep(facts: Facts, changes: ChangeList, options: ChangeStepOptions = {}): Facts {
  refuseOtherAccount(facts, changes);
  const what = options.snapshot ? `the snapshot ${options.snapshot} is of` : "the check reads";
  refuseOtherRegion(changes, options.regions ?? [facts.region], what);
  const region = changeHome(changes).region;
  const here =
    region === undefined || region === facts.region ? changes : { ...changes, deletedServices: [] };
  return { ...facts, plan: applyChanges(facts, here) };
}
