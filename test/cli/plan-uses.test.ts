import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import {
  ACCOUNT_ID,
  awsManagedUsePolicy,
  awsManagedVolumesPolicy,
  expressService,
  infrastructureRole,
  managedInstancesProvider,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";

/**
 * The false pass this kills, end to end through the CLI, the real SDK and the fake: a Terraform plan deleting a role
 * that no task or service uses, but a Managed Instances capacity provider (or an Express service) does. Before, it
 * passed as "no task or service uses it"; the provider could then launch no instance.
 */

const PLAN = join(import.meta.dirname, "../changes/terraform/fixtures/delete-role.json");
const ROLE = roleArnOf("ecs-infra");

async function check(fake: FakeAws, ...args: string[]) {
  Object.assign(process.env, fake.env());
  const { code, stdout, stderr } = await runCli(["check", "--format", "json", "--plan", PLAN, ...args]);
  expect(stderr).not.toMatch(/\n\s+at /);
  const report = JSON.parse(stdout) as Report;
  return { code, report, planned: report.findings.filter((f) => f.rule === "planned-role-changes") };
}

describe("check --plan deleting a role only another use names", () => {
  let managedInstances: FakeAws;
  let express: FakeAws;
  let deleted: FakeAws;
  beforeAll(async () => {
    const roles = [infrastructureRole({ name: "ecs-infra" })];
    const managedPolicies = [awsManagedVolumesPolicy(), awsManagedUsePolicy("managed-instances")];
    managedInstances = await startFakeAws({
      accountId: ACCOUNT_ID,
      roles,
      managedPolicies,
      clusters: [
        { name: "prod", capacityProviders: [managedInstancesProvider({ name: "mi", roleArn: ROLE })] },
      ],
    });
    express = await startFakeAws({
      accountId: ACCOUNT_ID,
      roles,
      managedPolicies,
      clusters: [{ name: "prod", services: [expressService({ name: "shop", roleArn: ROLE })] }],
    });
    deleted = await startFakeAws({
      accountId: ACCOUNT_ID,
      roles,
      managedPolicies,
      clusters: [
        {
          name: "prod",
          capacityProviders: [managedInstancesProvider({ name: "mi", roleArn: ROLE, status: "INACTIVE" })],
        },
      ],
    });
  });
  afterAll(async () => {
    await managedInstances.close();
    await express.close();
    await deleted.close();
  });

  it("a role only a Managed Instances capacity provider uses: planned-role-changes fails, exit 1, saying what breaks", async () => {
    const { code, planned } = await check(managedInstances);
    expect(code).toBe(1);
    expect(planned).toEqual([
      expect.objectContaining({
        status: "fail",
        resource: ROLE,
        message: expect.stringMatching(
          /aws_iam_role\.infra deletes the role: ecs-infra would be deleted, while 1 Managed Instances capacity provider \(prod\/mi\) still use it \(Managed Instances: the capacity provider cannot launch instances, so new tasks stay PENDING\)/,
        ),
      }),
    ]);
  });

  it("check --before-role-change on that role reads the capacity providers of every cluster: role-in-use fails", async () => {
    Object.assign(process.env, managedInstances.env());
    const before = managedInstances.requests.length;
    const { code, stdout } = await runCli([
      "check",
      "--format",
      "json",
      "--role",
      "ecs-infra",
      "--before-role-change",
    ]);
    const report = JSON.parse(stdout) as Report;
    expect(code).toBe(1);
    expect(
      managedInstances.requests.slice(before).some((r) => r.action === "DescribeCapacityProviders"),
    ).toBe(true);
    expect(report.findings.find((f) => f.rule === "role-in-use")).toMatchObject({
      status: "fail",
      message: expect.stringMatching(/still in use by 1 Managed Instances capacity provider \(prod\/mi\)/),
    });
  });

  it("a role only an Express service uses fails too", async () => {
    const { code, planned } = await check(express);
    expect(code).toBe(1);
    expect(planned?.[0]?.message).toMatch(/1 Express service \(prod\/shop\) still use it \(Express Mode: /);
  });

  it("the capacity provider already deleted (INACTIVE): the role may go, exit 0", async () => {
    const { code, planned } = await check(deleted);
    expect(code).toBe(0);
    expect(planned).toEqual([expect.objectContaining({ status: "pass", resource: ROLE })]);
  });

  it("DescribeCapacityProviders denied: never the false pass, unknown (exit 3)", async () => {
    managedInstances.setFaults([
      { service: "ecs", action: "DescribeCapacityProviders", kind: "access-denied" },
    ]);
    try {
      const { code, planned, report } = await check(managedInstances);
      expect(code).toBe(3);
      expect(planned).toEqual([expect.objectContaining({ status: "unknown", resource: ROLE })]);
      expect(report.findings.filter((f) => f.rule === "ecs-scope" && f.status === "unknown")).toHaveLength(1);
    } finally {
      managedInstances.setFaults([]);
    }
  });
});
