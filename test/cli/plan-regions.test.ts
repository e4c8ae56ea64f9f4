import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeAccount } from "../fake-aws/account.ts";
import {
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson } from "../support/cli.ts";

/**
 * IAM roles are global: a plan deleting a role no task in one Region uses may still strand tasks in another. With
 * --regions (the caller's own account) the plan gate judges the role against every Region's ECS, worst one first.
 */

const ACCOUNT = "111122223333";
const ROLE = roleArnOf("ecs-infra", ACCOUNT);

function region(name: string, inUse: boolean): FakeAccount {
  return {
    accountId: ACCOUNT,
    region: name,
    roles: [infrastructureRole({ name: "ecs-infra" })],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      inUse
        ? {
            name: "prod",
            services: [ebsService({ name: "api", roleArn: ROLE })],
            tasks: [ebsTask({ id: "a1", roleArn: ROLE, service: "api", volumeId: "vol-0a1" })],
          }
        : { name: "prod" },
    ],
  };
}

let fake: FakeAws;
let plan: string;
beforeAll(async () => {
  fake = await startFakeAws(region("us-east-1", false), {
    world: {
      accounts: [region("eu-west-1", true)],
      enabledRegions: { [ACCOUNT]: ["us-east-1", "eu-west-1"] },
    },
  });
  Object.assign(process.env, fake.env());
  // The plan fixture that deletes ecs-infra (Terraform 1.9, AWS provider 5.x).
  plan = join(mkdtempSync(join(tmpdir(), "plan-regions-")), "plan.json");
  writeFileSync(plan, readFileSync("test/changes/terraform/fixtures/delete-role.json"));
});
afterAll(() => fake.close());

describe("check --plan across the caller's Regions", () => {
  it("one Region alone passes the delete (nothing there uses the role), saying which Region it read", async () => {
    const { code, report } = await checkJson(fake, "--plan", plan, "--region", "us-east-1");
    const f = report.findings.find((x) => x.rule === "planned-role-changes");
    expect(f?.status).toBe("pass");
    expect(f?.message).toContain("us-east-1");
    expect(code).toBe(0);
  });

  it("with --regions the delete fails: a task in eu-west-1 still holds the role", async () => {
    const { code, report } = await checkJson(fake, "--plan", plan, "--regions", "us-east-1,eu-west-1");
    const planned = report.findings.filter((x) => x.rule === "planned-role-changes");
    expect(planned.map((f) => [f.region, f.status]).sort()).toEqual([
      ["eu-west-1", "fail"],
      ["us-east-1", "pass"],
    ]);
    expect(report.verdict).toBe("fail");
    expect(code).toBe(1);
  });

  it("--plan with another account's flags is a usage error before any AWS call", async () => {
    const before = fake.requests.length;
    const { code, stderr } = await import("../support/cli.ts").then(({ runCli }) =>
      runCli(["check", "--plan", plan, "--accounts", "444455556666", "--assume-role", "Audit"]),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/--plan cannot be combined with --accounts/);
    expect(fake.requests.length).toBe(before);
  });
});
