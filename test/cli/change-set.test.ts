import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import {
  change,
  changeSet,
  detail,
  roleProps,
  STACK,
  STACK_ID,
} from "../changes/cloudformation/change-sets.ts";
import type { FakeAccount } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  roleArnOf,
} from "../fake-aws/builders.ts";
import type { FakeCloudFormation } from "../fake-aws/cloudformation.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runBundle, runCli } from "../support/cli.ts";

/** End to end: a CloudFormation change set, from a file and described live, through the CLI, the real SDK and the fake. */

const FIXTURES = join(import.meta.dirname, "../changes/cloudformation/fixtures");
const fixture = (name: string) => join(FIXTURES, `${name}.json`);
const ROLE = roleArnOf("ecs-infra");
const NESTED_STACK = `${STACK}-Storage-1X2Y3Z`;
const NESTED_STACK_ID = `arn:aws:cloudformation:us-east-1:${ACCOUNT_ID}:stack/${NESTED_STACK}/aa11bb22`;
const NESTED_CS = `arn:aws:cloudformation:us-east-1:${ACCOUNT_ID}:changeSet/preflight-Storage/cc33dd44`;
const dir = mkdtempSync(join(tmpdir(), "change-set-cli-"));

const detachRole = change({
  action: "Modify",
  logicalId: "InfraRole",
  physicalId: "ecs-infra",
  type: "AWS::IAM::Role",
  before: roleProps(),
  after: roleProps({ ManagedPolicyArns: [] }),
});
const removeRole = change({
  action: "Remove",
  logicalId: "InfraRole",
  physicalId: "ecs-infra",
  type: "AWS::IAM::Role",
  before: roleProps(),
});
const queues = ["Q1", "Q2", "Q3"].map((id) =>
  change({
    action: "Modify",
    logicalId: id,
    physicalId: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT_ID}/${id}`,
    type: "AWS::SQS::Queue",
    details: [detail("VisibilityTimeout")],
    before: { VisibilityTimeout: 30 },
    after: { VisibilityTimeout: 60 },
  }),
);
const wire = (changes: object[]) => changeSet(changes).Changes as object[];

const cloudformation: FakeCloudFormation = {
  stacks: [
    { name: STACK, id: STACK_ID },
    { name: NESTED_STACK, id: NESTED_STACK_ID, parentId: STACK_ID },
  ],
  changeSets: [
    // Four changes over two pages: the role's detach is on the last.
    { name: "preflight", stack: STACK, changes: wire([...queues, detachRole]) },
    {
      name: "tags",
      stack: STACK,
      changes: changeSet(JSON.parse(readFileSync(fixture("tags-only"), "utf8")).Changes).Changes as object[],
    },
    // CloudFormation leaves the role's Remove out of the description with values, and says so.
    {
      name: "partial",
      stack: STACK,
      changes: wire([...queues, removeRole]),
      droppedWithValues: ["InfraRole"],
    },
    {
      name: "nested",
      stack: STACK,
      includeNestedStacks: true,
      changes: wire([
        change({
          action: "Modify",
          logicalId: "Storage",
          physicalId: NESTED_STACK_ID,
          type: "AWS::CloudFormation::Stack",
          changeSetId: NESTED_CS,
          details: [detail("TemplateURL")],
        }),
      ]),
    },
    {
      name: "preflight-Storage",
      stack: NESTED_STACK,
      id: NESTED_CS,
      parentChangeSetId: "x",
      changes: changeSet([detachRole], {}, NESTED_STACK).Changes as object[],
    },
    { name: "stale", stack: STACK, executionStatus: "OBSOLETE", changes: wire([]) },
  ],
};

function account(): FakeAccount {
  return {
    accountId: ACCOUNT_ID,
    roles: [infrastructureRole({ name: "ecs-infra" })],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        services: [ebsService({ name: "api", roleArn: ROLE })],
        tasks: [ebsTask({ id: "a1b2", roleArn: ROLE, service: "api", volumeId: "vol-0a1" })],
      },
    ],
    cloudformation,
  };
}

async function check(fake: FakeAws, ...args: string[]) {
  const before = fake.requests.length;
  Object.assign(process.env, fake.env());
  const { code, stdout, stderr } = await runCli(["check", "--format", "json", ...args]);
  expect(stderr).not.toMatch(/\n\s+at /);
  return {
    code,
    stderr,
    report: stdout ? (JSON.parse(stdout) as Report) : undefined,
    calls: fake.requests.slice(before),
  };
}

const planned = (report: Report | undefined) =>
  report?.findings.filter((f) => f.rule === "planned-role-changes");
const oneLine = (stderr: string) => {
  const lines = stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  return lines[0] ?? "";
};

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(account(), { pageSize: { cloudformation: 2 } });
});
afterAll(async () => fake.close());

describe("check --plan with a change set file (told from a Terraform plan by its content)", () => {
  it("a change set removing the role a RUNNING task uses and its service: exit 1, naming stack/logical id and the two change sets", async () => {
    const { code, report, calls } = await check(fake, "--plan", fixture("remove-service-and-role"));
    expect(code).toBe(1);
    const [f] = planned(report) ?? [];
    expect(f).toMatchObject({ status: "fail", resource: ROLE });
    expect(f?.message).toMatch(
      /prod-ecs\/InfraRole deletes the role: ecs-infra would be deleted, while .*task/,
    );
    expect(f?.message).toMatch(
      /The same change set deletes prod-ecs\/ApiService: its tasks are still stopping while CloudFormation runs it/,
    );
    expect(f?.message).not.toMatch(/terraform/i);
    expect(f?.remediation).toMatch(
      /in two change sets[\s\S]*prod-ecs\/ApiService[\s\S]*ecs-preflight wait --role ecs-infra[\s\S]*execute-change-set/,
    );
    // The file is the whole change: CloudFormation is not called.
    expect(calls.some((c) => c.service === "cloudformation")).toBe(false);
    expect(calls.some((c) => c.action === "GetRole" && c.params.RoleName === "ecs-infra")).toBe(true);
  });

  it("the CDK dropping AmazonECSInfrastructureRolePolicyForVolumes: exit 1, the role loses the volume actions", async () => {
    const { code, report } = await check(fake, "--plan", fixture("detach-managed-policy"));
    expect(planned(report)).toMatchObject([
      {
        status: "fail",
        message: expect.stringMatching(/detaches .*ForVolumes \(ManagedPolicyArns\).*lose ec2:DetachVolume/),
      },
    ]);
    expect(code).toBe(1);
  });

  it("a tags-only change set passes; the same change set OBSOLETE is exit 3, never a pass", async () => {
    expect((await check(fake, "--plan", fixture("tags-only"))).code).toBe(0);
    const file = join(dir, "tags-obsolete.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...JSON.parse(readFileSync(fixture("tags-only"), "utf8")),
        ExecutionStatus: "OBSOLETE",
      }),
    );
    const stale = await check(fake, "--plan", file);
    expect(stale.code).toBe(3);
    expect(planned(stale.report)?.[0]?.message).toMatch(/ExecutionStatus OBSOLETE/);
    // A harmful change stays a failure, whatever the status.
    expect((await check(fake, "--plan", fixture("obsolete"))).code).toBe(1);
  });

  const bad: [string, string, RegExp][] = [
    ["not JSON", "Stack prod-ecs: 2 changes", /not valid JSON.*describe-change-set/],
    [
      "JSON that is neither format",
      '{"Stacks": []}',
      /neither a Terraform JSON plan \(no format_version\) nor a CloudFormation change set/,
    ],
    [
      "a change with a field missing",
      JSON.stringify(changeSet([{ Type: "Resource", ResourceChange: { Action: "Remove" } }])),
      /Changes\[0\]\.ResourceChange\.LogicalResourceId: expected a non-empty string/,
    ],
  ];
  it.each(bad)("%s: exit 2 in one line naming the file, before any AWS call", async (_, content, reason) => {
    const file = join(dir, "bad.json");
    writeFileSync(file, content);
    const { code, stderr, calls } = await check(fake, "--plan", file);
    expect(code).toBe(2);
    expect(calls).toEqual([]);
    const line = oneLine(stderr);
    expect(line).toContain(file);
    expect(line).toMatch(reason);
  });

  it("a change set of another account: exit 2 in one line", async () => {
    const file = join(dir, "other-account.json");
    writeFileSync(
      file,
      readFileSync(fixture("detach-managed-policy"), "utf8").replaceAll(ACCOUNT_ID, "444455556666"),
    );
    // Found once the caller's account is known, after collection: its info log is silenced to see the one line.
    const { code, stderr } = await check(fake, "--plan", file, "--log-level", "error");
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(
      /other-account\.json: the change set is of account 444455556666, but the facts are of account 111122223333/,
    );
  });
});

describe("check --change-set: described live", () => {
  const describes = (calls: { action: string; params: Record<string, unknown> }[]) =>
    calls
      .filter((c) => c.action === "DescribeChangeSet")
      .map((c) => [
        c.params.ChangeSetName,
        c.params.IncludePropertyValues,
        c.params.NextToken ? "next" : "first",
      ]);

  it("every page, with property values: the detach on the last page fails", async () => {
    const { code, report, calls } = await check(fake, "--change-set", "preflight", "--stack", STACK);
    expect(describes(calls).map(([, values, page]) => [values, page])).toEqual([
      ["true", "first"],
      ["true", "next"],
    ]);
    expect(planned(report)).toMatchObject([
      { status: "fail", resource: ROLE, message: expect.stringMatching(/prod-ecs\/InfraRole detaches/) },
    ]);
    expect(code).toBe(1);
  });

  it("a tags-only change set passes", async () => {
    expect((await check(fake, "--change-set", "tags", "--stack", STACK)).code).toBe(0);
  });

  it("the [WARN] --include-property-values case: described again without values and merged; the Remove seen only there fails", async () => {
    const { code, report, calls } = await check(fake, "--change-set", "partial", "--stack", STACK);
    expect(describes(calls).map(([, values]) => values)).toEqual(["true", "true", "false", "false"]);
    expect(planned(report)).toMatchObject([
      { status: "fail", message: expect.stringMatching(/prod-ecs\/InfraRole deletes the role/) },
    ]);
    expect(code).toBe(1);
  });

  it("a nested stack's change set is described by its ARN, and its change is named by the nested stack", async () => {
    const { code, report, calls } = await check(fake, "--change-set", "nested", "--stack", STACK);
    expect(describes(calls).some(([name]) => name === NESTED_CS)).toBe(true);
    expect(planned(report)).toMatchObject([
      { status: "fail", message: expect.stringMatching(new RegExp(`${NESTED_STACK}/InfraRole detaches`)) },
    ]);
    expect(code).toBe(1);
  });

  it("ExecutionStatus OBSOLETE is never a pass (exit 3)", async () => {
    const { code, report } = await check(fake, "--change-set", "stale", "--stack", STACK);
    expect(code).toBe(3);
    expect(planned(report)).toMatchObject([
      { status: "unknown", message: expect.stringMatching(/OBSOLETE/) },
    ]);
  });

  it.each([
    [
      "a change set that does not exist",
      ["--change-set", "nope", "--stack", STACK],
      /--change-set nope --stack prod-ecs: no such change set in us-east-1 \(ChangeSet \[nope\] does not exist\)/,
    ],
    [
      "a change set of another account",
      ["--change-set", "arn:aws:cloudformation:us-east-1:444455556666:changeSet/x/1"],
      /the change set is in account 444455556666, but the credentials are of account 111122223333/,
    ],
    ["a name without --stack", ["--change-set", "preflight"], /needs --stack STACK/],
    ["--stack without --change-set", ["--stack", STACK], /--stack .*needs --change-set/],
    [
      "two changes at once",
      ["--change-set", "preflight", "--stack", STACK, "--plan", fixture("tags-only")],
      /--plan and --change-set cannot be combined/,
    ],
    [
      "with the target flags",
      ["--change-set", "preflight", "--stack", STACK, "--regions", "us-east-1,eu-west-1"],
      /--change-set cannot be combined with the target flags/,
    ],
  ])("%s: exit 2 in one line, no CloudFormation call", async (_, args, reason) => {
    const { code, stderr, calls } = await check(fake, ...(args as string[]));
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(reason as RegExp);
    expect(calls.filter((c) => c.service === "cloudformation" && c.params.ChangeSetName !== "nope")).toEqual(
      [],
    );
  });

  it("with --snapshot: exit 2 (the change set lives in AWS), pointing at --plan", async () => {
    const snap = join(dir, "snap.json");
    Object.assign(process.env, fake.env());
    expect((await runCli(["snapshot", "--role", "ecs-infra", "--out", snap])).code).toBe(0);
    const { code, stderr } = await check(
      fake,
      "--snapshot",
      snap,
      "--change-set",
      "preflight",
      "--stack",
      STACK,
    );
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(/cannot be combined with --snapshot.*--plan/);
  });

  it("the bundle's entry does not load the CloudFormation client: only a change set's check imports its chunk", () => {
    // The chunks the entry imports statically, and theirs, to the end: what every `check` loads.
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join("dist", file), "utf8");
      for (const [, path] of text.matchAll(/(?:^|[;}\s])import[^"(]*?from"\.\/(?:chunks\/)?([^"]+)"/g))
        visit(file.startsWith("chunks/") ? `chunks/${path}` : `chunks/${path?.replace(/^chunks\//, "")}`);
    };
    visit("ecs-preflight.mjs");
    expect(seen.size).toBeGreaterThan(1);
    for (const file of seen)
      expect(readFileSync(join("dist", file), "utf8"), file).not.toContain("DescribeChangeSetCommand");
  });

  it("works in the bundle users run (the CloudFormation client loads lazily there)", async () => {
    const { code, stdout } = await runBundle(
      ["check", "--format", "json", "--change-set", "tags", "--stack", STACK, "--log-level", "error"],
      fake.env(),
    );
    expect(code).toBe(0);
    expect(
      (JSON.parse(stdout) as Report).findings.some(
        (f) => f.rule === "planned-role-changes" && f.status === "pass",
      ),
    ).toBe(true);
  });
});
