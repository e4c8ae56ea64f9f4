import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJsonWith } from "../support/cli.ts";

/**
 * `check --before-role-change --role R --cluster prod` judges only the clusters named: R used in another cluster
 * is not seen. The verdict stays the scope's (a pass), but the message must say that only that scope was read and
 * that the role is global, so nobody reads it as "nothing uses the role".
 */

const ROLE = roleArnOf("ecs-infra");
let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [infrastructureRole({ name: "ecs-infra" })],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      { name: "prod" },
      {
        name: "other",
        services: [ebsService({ name: "api", roleArn: ROLE })],
        tasks: [ebsTask({ id: "a1", roleArn: ROLE, service: "api", volumeId: "vol-1" })],
      },
    ],
  });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

describe("before a role change, scoped with --cluster", () => {
  it("a role used only outside the scope: a pass that says only cluster prod was read and the role is global", async () => {
    const { code, report } = await checkJsonWith(fake, [
      "--before-role-change",
      "--role",
      "ecs-infra",
      "--cluster",
      "prod",
      "--log-level",
      "error",
    ]);
    const f = report.findings.find((x) => x.rule === "role-in-use");
    expect(f?.status).toBe("pass");
    expect(f?.message).toMatch(
      /uses role ecs-infra in cluster prod of us-east-1 \(only the --cluster scope was read\)/,
    );
    expect(f?.message).toMatch(/a cluster outside the scope, or another Region, may still use it/);
    expect(code).toBe(0);
  });

  it("with --role alone every cluster is read, and the same role fails", async () => {
    const { code, report } = await checkJsonWith(fake, ["--before-role-change", "--role", "ecs-infra"]);
    expect(report.findings.find((x) => x.rule === "role-in-use")?.status).toBe("fail");
    expect(code).toBe(1);
  });
});
