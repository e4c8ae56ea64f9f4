import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT_ID,
  awsManagedUsePolicy,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  expressService,
  infrastructureRole,
  managedInstancesProvider,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";

/**
 * The headline of a role change that would break something names what breaks, use by use: a role only a Managed
 * Instances capacity provider or an Express service uses strands no EBS volume, and the headline must not say so.
 */

const PLAN = join(import.meta.dirname, "../changes/terraform/fixtures/delete-role.json");
const ROLE = roleArnOf("ecs-infra");
const roles = [infrastructureRole({ name: "ecs-infra" })];
const managedPolicies = [
  awsManagedVolumesPolicy(),
  awsManagedUsePolicy("managed-instances"),
  awsManagedUsePolicy("express"),
];

let onlyOthers: FakeAws;
let withTasks: FakeAws;
beforeAll(async () => {
  onlyOthers = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles,
    managedPolicies,
    clusters: [
      {
        name: "prod",
        capacityProviders: [managedInstancesProvider({ name: "mi", roleArn: ROLE })],
        services: [expressService({ name: "shop", roleArn: ROLE })],
      },
    ],
  });
  withTasks = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles,
    managedPolicies,
    clusters: [
      {
        name: "prod",
        services: [ebsService({ name: "api", roleArn: ROLE })],
        tasks: [ebsTask({ id: "a1", roleArn: ROLE, service: "api", volumeId: "vol-0a1" })],
      },
    ],
  });
});
afterAll(async () => {
  await onlyOthers.close();
  await withTasks.close();
});

/** The text report's first line: the verdict and the headline. */
async function headline(fake: FakeAws, ...args: string[]) {
  Object.assign(process.env, fake.env());
  const { code, stdout } = await runCli(["check", "--format", "text", "--no-color", ...args]);
  return { code, first: stdout.split("\n")[0] ?? "" };
}

describe("the headline names what the role change breaks", () => {
  it("--plan deleting a role a Managed Instances provider and an Express service use: names them, not EBS volumes", async () => {
    const { code, first } = await headline(onlyOthers, "--plan", PLAN);
    expect(code).toBe(1);
    expect(first).toContain(
      "the planned change to ecs-infra would break what uses it (Managed Instances and Express Mode)",
    );
    expect(first).not.toMatch(/EBS/);
  });

  it("--before-role-change on the same role: names them, not EBS volumes", async () => {
    const { code, first } = await headline(onlyOthers, "--before-role-change", "--role", "ecs-infra");
    expect(code).toBe(1);
    expect(first).toContain(
      "changing or deleting ecs-infra now breaks what uses it (Managed Instances and Express Mode)",
    );
    expect(first).not.toMatch(/EBS/);
  });

  it("a role tasks use for their EBS volumes: says EBS volumes", async () => {
    const { code, first } = await headline(withTasks, "--before-role-change", "--role", "ecs-infra");
    expect(code).toBe(1);
    expect(first).toContain("changing or deleting ecs-infra now breaks what uses it (EBS volumes)");
  });
});
