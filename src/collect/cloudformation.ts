import type { ChangeSetReading } from "../changes/cloudformation/adapter.ts";
import { type ChangeSet, parseChangeSet } from "../changes/cloudformation/change-set.ts";
import { leavesChangesOut } from "../changes/cloudformation/merge.ts";
import type { StackDeletionReading, StackResourceSummary } from "../changes/cloudformation/stack-deletion.ts";
import { InputError, UndecidedError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { type AwsSettings, clientConfig } from "./clients.ts";
import { parseTemplateBody } from "./cloudformation-template.ts";
import { errorCode, toFactError } from "./fact.ts";

/**
 * CloudFormation for the change gate: a change set described as the CDK describes it (IncludePropertyValues, every
 * page; described again without values when CloudFormation warns it left changes out; each nested stack's change
 * set too), and what a stack's deletion removes (DescribeStacks, ListStackResources every page, GetTemplate, nested
 * stacks too). The SDK loads only here, and only for these (./cloudformation-sdk.ts).
 */

type Sdk = typeof import("./cloudformation-sdk.ts");
type Client = InstanceType<Sdk["CloudFormationClient"]>;

/** Nested stacks below this depth are not read (CloudFormation allows far fewer; a loop would never end). */
const MAX_DEPTH = 10;
const GONE = new Set(["DELETE_COMPLETE", "DELETE_SKIPPED"]);

async function withClient<T>(settings: AwsSettings, read: (sdk: Sdk, cfn: Client) => Promise<T>): Promise<T> {
  const sdk = await import("./cloudformation-sdk.ts");
  const cfn = new sdk.CloudFormationClient(clientConfig(settings));
  try {
    return await read(sdk, cfn);
  } finally {
    cfn.destroy();
  }
}

/** One description, every page of Changes (the page after the first is asked by the change set's ARN). */
async function describeAll(
  sdk: Sdk,
  cfn: Client,
  input: { ChangeSetName: string; StackName?: string },
  values: boolean,
): Promise<ChangeSet> {
  const first = await cfn.send(new sdk.DescribeChangeSetCommand({ ...input, IncludePropertyValues: values }));
  const changes = [...(first.Changes ?? [])];
  let token = first.NextToken;
  while (token) {
    const page = await cfn.send(
      new sdk.DescribeChangeSetCommand({
        ChangeSetName: first.ChangeSetId ?? input.ChangeSetName,
        ...(first.StackId || input.StackName ? { StackName: first.StackId ?? input.StackName } : {}),
        NextToken: token,
        IncludePropertyValues: values,
      }),
    );
    changes.push(...(page.Changes ?? []));
    token = page.NextToken;
  }
  const { NextToken: _, $metadata: _m, ...rest } = first;
  return parseChangeSet({ ...rest, Changes: changes }, `DescribeChangeSet of ${input.ChangeSetName}`);
}

async function readChangeSet(
  sdk: Sdk,
  cfn: Client,
  input: { ChangeSetName: string; StackName?: string },
  depth: number,
): Promise<ChangeSetReading> {
  const set = await describeAll(sdk, cfn, input, true);
  const plain = leavesChangesOut(set) ? await describeAll(sdk, cfn, input, false) : undefined;
  const reading: ChangeSetReading = {
    set,
    ...(plain ? { plain } : {}),
    nested: [],
    removedStacks: [],
    unread: [],
  };
  const stacks = [...set.changes, ...(plain?.changes ?? [])].filter(
    (c) => c.type === "AWS::CloudFormation::Stack",
  );
  const seen = new Set<string>();
  for (const change of stacks) {
    const id = change.action === "Remove" ? change.physicalId : change.changeSetId;
    if (!id || seen.has(id) || depth >= MAX_DEPTH) continue;
    seen.add(id);
    try {
      if (change.action === "Remove") {
        if (change.policyAction !== "Retain")
          reading.removedStacks.push(await readDeletion(sdk, cfn, id, depth + 1));
      } else reading.nested.push(await readChangeSet(sdk, cfn, { ChangeSetName: id }, depth + 1));
    } catch (err) {
      const api =
        change.action === "Remove" ? "cloudformation:ListStackResources" : "cloudformation:DescribeChangeSet";
      reading.unread.push({ id, error: toFactError(api, err) });
    }
  }
  return reading;
}

/** The account and Region an ARN names, refused when they are not the caller's: a change set is one account's. */
function refuseElsewhere(
  flag: string,
  ref: string | undefined,
  account: string | undefined,
  region: string,
): void {
  if (!ref?.startsWith("arn:")) return;
  const [, , , arnRegion, arnAccount] = ref.split(":");
  if (account && arnAccount && arnAccount !== account)
    throw new InputError(
      `${flag} ${ref}: the change set is in account ${arnAccount}, but the credentials are of account ${account}; run the check with credentials for account ${arnAccount}`,
    );
  if (arnRegion && arnRegion !== region)
    throw new InputError(
      `${flag} ${ref}: it is in ${arnRegion}, but the check runs in ${region}; run it with --region ${arnRegion}`,
    );
}

async function callerAccountOf(settings: AwsSettings): Promise<string | undefined> {
  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const sts = new STSClient(clientConfig(settings));
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch {
    // The collector reads the caller again and reports it; the described change set's own ARN is checked then.
    return undefined;
  } finally {
    sts.destroy();
  }
}

/** `check --change-set NAME_OR_ARN [--stack STACK]`: the change set and its nested ones, described live. */
export async function describeLiveChangeSet(
  settings: AwsSettings,
  request: { changeSet: string; stack?: string },
  log?: Logger,
): Promise<ChangeSetReading> {
  const { changeSet, stack } = request;
  const flag = `--change-set ${changeSet}${stack ? ` --stack ${stack}` : ""}`;
  if (!changeSet.startsWith("arn:") && !stack)
    throw new InputError(
      `--change-set ${changeSet}: a change set named by name needs --stack STACK (or give its ARN)`,
    );
  const account = await callerAccountOf(settings);
  refuseElsewhere("--change-set", changeSet, account, settings.region);
  refuseElsewhere("--stack", stack, account, settings.region);
  const reading = await withClient(settings, (sdk, cfn) =>
    readChangeSet(sdk, cfn, { ChangeSetName: changeSet, ...(stack ? { StackName: stack } : {}) }, 0),
  ).catch((err: unknown) => {
    const code = errorCode(err);
    const e = toFactError("cloudformation:DescribeChangeSet", err);
    if (code === "ChangeSetNotFoundException" || code === "ChangeSetNotFound" || code === "ValidationError")
      throw new InputError(`${flag}: no such change set in ${settings.region} (${e.message})`);
    if (err instanceof InputError) throw err;
    throw new UndecidedError(
      `${flag}: cannot describe the change set: ${e.api} failed with ${e.code}: ${e.message}`,
    );
  });
  log?.info(
    {
      changeSet: reading.set.id ?? changeSet,
      changes: reading.set.changes.length,
      nested: reading.nested.length,
      describedWithoutValues: reading.plain !== undefined,
    },
    "described the change set",
  );
  return reading;
}

async function readDeletion(
  sdk: Sdk,
  cfn: Client,
  stackRef: string,
  depth: number,
): Promise<StackDeletionReading> {
  const [stack] = (await cfn.send(new sdk.DescribeStacksCommand({ StackName: stackRef }))).Stacks ?? [];
  if (!stack?.StackId || !stack.StackName)
    throw Object.assign(new Error(`Stack with id ${stackRef} does not exist`), { name: "ValidationError" });
  const resources: StackResourceSummary[] = [];
  for await (const page of sdk.paginateListStackResources({ client: cfn }, { StackName: stack.StackId }))
    for (const r of page.StackResourceSummaries ?? [])
      if (r.LogicalResourceId && r.ResourceType)
        resources.push({
          logicalId: r.LogicalResourceId,
          ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
          type: r.ResourceType,
          ...(r.ResourceStatus ? { status: r.ResourceStatus } : {}),
        });
  // The processed template: what a transform (SAM) made is what the stack holds, DeletionPolicy and all.
  const template = await cfn
    .send(new sdk.GetTemplateCommand({ StackName: stack.StackId, TemplateStage: "Processed" }))
    .then(
      (t) => parseTemplateBody(t.TemplateBody, "cloudformation:GetTemplate"),
      (err: unknown) => ({ ok: false as const, error: toFactError("cloudformation:GetTemplate", err) }),
    );
  const reading: StackDeletionReading = {
    stackName: stack.StackName,
    stackId: stack.StackId,
    parameters: Object.fromEntries(
      (stack.Parameters ?? []).map((p) => [p.ParameterKey ?? "", p.ResolvedValue ?? p.ParameterValue ?? ""]),
    ),
    resources,
    template,
    nested: [],
    unread: [],
  };
  for (const r of resources) {
    if (
      r.type !== "AWS::CloudFormation::Stack" ||
      !r.physicalId ||
      GONE.has(r.status ?? "") ||
      depth >= MAX_DEPTH
    )
      continue;
    try {
      reading.nested.push(await readDeletion(sdk, cfn, r.physicalId, depth + 1));
    } catch (err) {
      reading.unread.push({ id: r.physicalId, error: toFactError("cloudformation:ListStackResources", err) });
    }
  }
  return reading;
}

/** `check --before-stack-delete STACK`: every resource the deletion would remove, with the template that keeps some. */
export async function readStackDeletion(
  settings: AwsSettings,
  stack: string,
  log?: Logger,
): Promise<StackDeletionReading> {
  const flag = `--before-stack-delete ${stack}`;
  refuseElsewhere("--before-stack-delete", stack, await callerAccountOf(settings), settings.region);
  const reading = await withClient(settings, (sdk, cfn) => readDeletion(sdk, cfn, stack, 0)).catch(
    (err: unknown) => {
      const e = toFactError("cloudformation:DescribeStacks", err);
      if (e.code === "ValidationError" && /does not exist/.test(e.message))
        throw new InputError(`${flag}: no such stack in ${settings.region} (${e.message})`);
      throw new UndecidedError(
        `${flag}: cannot read what deleting the stack removes: ${e.api} failed with ${e.code}: ${e.message}`,
      );
    },
  );
  log?.info(
    { stack: reading.stackId, resources: reading.resources.length, nested: reading.nested.length },
    "read the stack's resources",
  );
  return reading;
}
