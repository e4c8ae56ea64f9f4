import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import type { FakeAccount } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";

/** End to end: check --before-stack-delete through the CLI, the real SDK and the fake's CloudFormation. */

const stackId = (name: string) => `arn:aws:cloudformation:us-east-1:${ACCOUNT_ID}:stack/${name}/0f0e0d0c`;
const SERVICE = `arn:aws:ecs:us-east-1:${ACCOUNT_ID}:service/prod/api`;
const NESTED = stackId("app-Roles-9Z8Y");

/** A YAML template, as CloudFormation keeps one written in YAML: the short-form tags are read as their long form. */
const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  KeepRole:
    Type: String
Resources:
  InfraRole:
    Type: AWS::IAM::Role
    DeletionPolicy: !Ref KeepRole
    Properties:
      RoleName: ecs-infra
      AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [] }
  Api:
    Type: AWS::ECS::Service
    Properties:
      Cluster: prod
      ServiceName: api
`;

function account(taskStatus: "RUNNING" | "STOPPED"): FakeAccount {
  const role = roleArnOf("ecs-infra");
  return {
    accountId: ACCOUNT_ID,
    roles: [infrastructureRole({ name: "ecs-infra" }), infrastructureRole({ name: "nested-infra" })],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        services: taskStatus === "RUNNING" ? [ebsService({ name: "api", roleArn: role })] : [],
        tasks: [
          ebsTask({ id: "a1b2", roleArn: role, service: "api", lastStatus: taskStatus, volumeId: "vol-0a1" }),
          ebsTask({
            id: "c3d4",
            roleArn: roleArnOf("nested-infra"),
            lastStatus: taskStatus,
            volumeId: "vol-0c3",
          }),
        ],
      },
    ],
    cloudformation: {
      stacks: [
        {
          name: "app",
          id: stackId("app"),
          parameters: { KeepRole: "Delete" },
          resources: [
            { logicalId: "Api", physicalId: SERVICE, type: "AWS::ECS::Service" },
            { logicalId: "InfraRole", physicalId: "ecs-infra", type: "AWS::IAM::Role" },
            { logicalId: "Roles", physicalId: NESTED, type: "AWS::CloudFormation::Stack" },
          ],
          template: TEMPLATE,
        },
        {
          name: "app-Roles-9Z8Y",
          id: NESTED,
          parentId: stackId("app"),
          resources: [{ logicalId: "NestedRole", physicalId: "nested-infra", type: "AWS::IAM::Role" }],
          template: { Resources: { NestedRole: { Type: "AWS::IAM::Role" } } },
        },
        {
          name: "kept",
          id: stackId("kept"),
          parameters: { KeepRole: "Retain" },
          resources: [{ logicalId: "InfraRole", physicalId: "ecs-infra", type: "AWS::IAM::Role" }],
          template: TEMPLATE,
        },
      ],
    },
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
  Object.fromEntries(
    (report?.findings ?? []).filter((f) => f.rule === "planned-role-changes").map((f) => [f.resource, f]),
  );

describe("check --before-stack-delete", () => {
  let running: FakeAws;
  let stopped: FakeAws;
  beforeAll(async () => {
    running = await startFakeAws(account("RUNNING"), { pageSize: { cloudformation: 2 } });
    stopped = await startFakeAws(account("STOPPED"), { pageSize: { cloudformation: 2 } });
  });
  afterAll(async () => {
    await running.close();
    await stopped.close();
  });

  it("fails while a role the deletion removes has a user, nested stacks' roles included; the fix names both safe ways", async () => {
    const { code, report, calls } = await check(running, "--before-stack-delete", "app");
    expect(code).toBe(1);
    const found = planned(report);
    const root = found[roleArnOf("ecs-infra")];
    expect(root?.status).toBe("fail");
    expect(root?.message).toMatch(
      /app\/InfraRole deletes the role: ecs-infra would be deleted, while .*task/,
    );
    expect(root?.message).toMatch(/The same stack deletion deletes app\/Api/);
    expect(root?.remediation).toMatch(/DeletionPolicy: Retain on app\/InfraRole/);
    expect(root?.remediation).toMatch(
      /delete the services first[\s\S]*ecs-preflight wait --role ecs-infra[\s\S]*aws cloudformation delete-stack --stack-name app/,
    );
    expect(found[roleArnOf("nested-infra")]).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/app-Roles-9Z8Y\/NestedRole deletes the role/),
    });
    // Every page of both stacks' resources, and each template.
    const listed = calls
      .filter((c) => c.action === "ListStackResources")
      .map((c) => [c.params.StackName, c.params.NextToken ? "next" : "first"]);
    expect(listed).toEqual([
      [stackId("app"), "first"],
      [stackId("app"), "next"],
      [NESTED, "first"],
    ]);
    expect(calls.filter((c) => c.action === "GetTemplate").map((c) => c.params.TemplateStage)).toEqual([
      "Processed",
      "Processed",
    ]);
  });

  it("passes when nothing uses the roles any more", async () => {
    const { code, report } = await check(stopped, "--before-stack-delete", "app");
    expect(Object.values(planned(report)).map((f) => f.status)).toEqual(["pass", "pass"]);
    expect(code).toBe(0);
  });

  it("a role the template keeps (DeletionPolicy through a parameter set to Retain) passes though it is in use", async () => {
    const { code, report } = await check(running, "--before-stack-delete", "kept");
    expect(planned(report)[roleArnOf("ecs-infra")]).toMatchObject({
      status: "pass",
      message: expect.stringMatching(/keeps it \(DeletionPolicy Retain\): nothing is deleted/),
    });
    expect(code).toBe(0);
  });

  it("a stack that does not exist: exit 2 in one line", async () => {
    const { code, stderr } = await check(running, "--before-stack-delete", "nope");
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      "ecs-preflight: error: --before-stack-delete nope: no such stack in us-east-1 (Stack with id nope does not exist)",
    );
  });
});
