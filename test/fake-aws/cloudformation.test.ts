import {
  CloudFormationClient,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateDescribeChangeSet,
  paginateListStackResources,
} from "@aws-sdk/client-cloudformation";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { change, changeSet, roleProps } from "../changes/cloudformation/change-sets.ts";
import { ACCOUNT_ID } from "./builders.ts";
import { changeSetArn } from "./cloudformation.ts";
import { type FakeAws, startFakeAws } from "./server.ts";

/** The fake's CloudFormation through the real SDK client: the Query protocol, paging, the WARN case and errors. */

const changes = ["A", "B", "C"].map((id) =>
  change({
    action: "Modify",
    logicalId: id,
    physicalId: id.toLowerCase(),
    type: "AWS::IAM::Role",
    before: roleProps(),
    after: roleProps({ Description: id }),
    details: [
      {
        Target: {
          Attribute: "Properties",
          Name: "Description",
          RequiresRecreation: "Never",
          BeforeValue: "x",
          AfterValue: id,
          Path: "/Properties/Description",
        },
        Evaluation: "Static",
        ChangeSource: "DirectModification",
      },
    ],
  }),
);
const wire = changeSet(changes).Changes as object[];

let fake: FakeAws;
let cfn: CloudFormationClient;

beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: ACCOUNT_ID,
      cloudformation: {
        stacks: [
          {
            name: "prod-ecs",
            parameters: { Keep: "Retain" },
            resources: ["R1", "R2", "R3"].map((id) => ({
              logicalId: id,
              physicalId: id.toLowerCase(),
              type: "AWS::IAM::Role",
            })),
            template: "Resources:\n  R1:\n    Type: AWS::IAM::Role\n    DeletionPolicy: !Ref Keep\n",
          },
        ],
        changeSets: [
          { name: "preflight", stack: "prod-ecs", changes: wire },
          { name: "partial", stack: "prod-ecs", changes: wire, droppedWithValues: ["B"] },
        ],
      },
    },
    { pageSize: { cloudformation: 2 } },
  );
  cfn = new CloudFormationClient({
    ...fake.clientConfig(),
    retryStrategy: new ConfiguredRetryStrategy(1, () => 0),
  });
});

afterAll(async () => {
  cfn.destroy();
  await fake.close();
});

async function everyPage(name: string, values: boolean) {
  const pages = [];
  for await (const page of paginateDescribeChangeSet(
    { client: cfn },
    { ChangeSetName: name, StackName: "prod-ecs", IncludePropertyValues: values },
  ))
    pages.push(page);
  return pages;
}

describe("the fake's CloudFormation", () => {
  test("DescribeChangeSet pages Changes with NextToken; with values each change has its contexts as JSON strings", async () => {
    const pages = await everyPage("preflight", true);
    expect(pages.map((p) => p.Changes?.length)).toEqual([2, 1]);
    const first = pages[0]?.Changes?.[0]?.ResourceChange;
    expect(first).toMatchObject({
      Action: "Modify",
      LogicalResourceId: "A",
      ResourceType: "AWS::IAM::Role",
      Replacement: "False",
      Scope: ["Properties"],
    });
    expect(JSON.parse(first?.AfterContext ?? "{}").Properties.Description).toBe("A");
    expect(first?.Details?.[0]?.Target).toMatchObject({
      Name: "Description",
      BeforeValue: "x",
      AfterValue: "A",
    });
    expect(pages[0]).toMatchObject({
      Status: "CREATE_COMPLETE",
      ExecutionStatus: "AVAILABLE",
      StackName: "prod-ecs",
      IncludeNestedStacks: false,
    });
  });

  test("without IncludePropertyValues: no contexts, each Target only Attribute, Name and RequiresRecreation", async () => {
    const [page] = await everyPage("preflight", false);
    const rc = page?.Changes?.[0]?.ResourceChange;
    expect(rc?.AfterContext).toBeUndefined();
    expect(rc?.Details?.[0]?.Target).toEqual({
      Attribute: "Properties",
      Name: "Description",
      RequiresRecreation: "Never",
    });
  });

  test("a change set that drops changes with values says so in StatusReason; without values it lists them", async () => {
    const withValues = (await everyPage("partial", true)).flatMap((p) => p.Changes ?? []);
    expect(withValues.map((c) => c.ResourceChange?.LogicalResourceId)).toEqual(["A", "C"]);
    const described = await cfn.send(
      new DescribeChangeSetCommand({
        ChangeSetName: "partial",
        StackName: "prod-ecs",
        IncludePropertyValues: true,
      }),
    );
    expect(described.StatusReason).toMatch(
      /^\[WARN\] --include-property-values option can return incomplete ChangeSet data/,
    );
    const plain = (await everyPage("partial", false)).flatMap((p) => p.Changes ?? []);
    expect(plain.map((c) => c.ResourceChange?.LogicalResourceId)).toEqual(["A", "B", "C"]);
  });

  test("by ARN alone; a missing one is ChangeSetNotFound (404)", async () => {
    const arn = changeSetArn(fake.world.primary, { name: "preflight", stack: "prod-ecs", changes: [] });
    expect((await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: arn }))).ChangeSetName).toBe(
      "preflight",
    );
    const error = await cfn
      .send(new DescribeChangeSetCommand({ ChangeSetName: "nope", StackName: "prod-ecs" }))
      .catch((e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode: number } });
    expect(error).toMatchObject({
      name: "ChangeSetNotFoundException",
      message: "ChangeSet [nope] does not exist",
      $metadata: { httpStatusCode: 404 },
    });
  });

  test("ListStackResources pages; GetTemplate gives the body as written; DescribeStacks gives Parameters", async () => {
    const ids = [];
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: "prod-ecs" }))
      ids.push(
        ...(page.StackResourceSummaries ?? []).map((r) => [
          r.LogicalResourceId,
          r.PhysicalResourceId,
          r.ResourceStatus,
        ]),
      );
    expect(ids).toEqual([
      ["R1", "r1", "CREATE_COMPLETE"],
      ["R2", "r2", "CREATE_COMPLETE"],
      ["R3", "r3", "CREATE_COMPLETE"],
    ]);
    expect((await cfn.send(new GetTemplateCommand({ StackName: "prod-ecs" }))).TemplateBody).toContain(
      "!Ref Keep",
    );
    const [stack] = (await cfn.send(new DescribeStacksCommand({ StackName: "prod-ecs" }))).Stacks ?? [];
    expect(stack).toMatchObject({
      StackName: "prod-ecs",
      StackStatus: "CREATE_COMPLETE",
      Parameters: [{ ParameterKey: "Keep", ParameterValue: "Retain" }],
    });
    expect(stack?.StackId).toMatch(
      new RegExp(`^arn:aws:cloudformation:us-east-1:${ACCOUNT_ID}:stack/prod-ecs/`),
    );
  });

  test('a missing stack is ValidationError "Stack with id X does not exist"; a fault is the query family\'s', async () => {
    const error = await cfn
      .send(new DescribeStacksCommand({ StackName: "gone" }))
      .catch((e: unknown) => e as { name: string; message: string });
    expect(error).toMatchObject({ name: "ValidationError", message: "Stack with id gone does not exist" });
    fake.setFaults([{ kind: "access-denied", service: "cloudformation" }]);
    const denied = await cfn
      .send(new GetTemplateCommand({ StackName: "prod-ecs" }))
      .catch((e: unknown) => e as { name: string });
    fake.setFaults([]);
    expect(denied).toMatchObject({ name: "AccessDenied" });
  });
});
