import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsTask,
  infrastructureRole,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson, runCli } from "../support/cli.ts";

/**
 * A task ECS lists but DescribeTasks does not describe (a MISSING failure, or no answer at all) may hold any role:
 * nothing about it was verified, so neither `check` nor `wait` may treat it as absent. Only a task listed as STOPPED
 * may age out between the two calls (ECS forgets stopped tasks about an hour after they stop).
 */

const ROLE = "ecsInfrastructureRole";
const ROLE_ARN = roleArnOf(ROLE);

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [infrastructureRole()],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "missing",
        tasks: [{ ...ebsTask({ id: "ghost", roleArn: ROLE_ARN }), undescribed: "missing" }],
      },
      {
        name: "omitted",
        tasks: [{ ...ebsTask({ id: "silent", roleArn: ROLE_ARN }), undescribed: "omitted" }],
      },
      {
        name: "aged-out",
        tasks: [
          {
            ...ebsTask({ id: "old", roleArn: ROLE_ARN, lastStatus: "STOPPED", attachmentStatus: "DELETED" }),
            undescribed: "missing",
          },
        ],
      },
    ],
  });
  Object.assign(process.env, fake.env(), { ECS_PREFLIGHT_POLL_MS: "10" });
});
afterAll(async () => {
  delete process.env.ECS_PREFLIGHT_POLL_MS;
  await fake.close();
});

describe("tasks ECS lists but does not describe", () => {
  it.each(["missing", "omitted"])(
    "check: a RUNNING task DescribeTasks %s is unknown (exit 3)",
    async (cluster) => {
      const { code, report } = await checkJson(fake, "--cluster", cluster, "--role", ROLE);
      const gaps = report.findings.filter((f) => f.rule === "ecs-scope" && f.status === "unknown");
      expect(gaps.map((f) => f.resource)).toEqual([expect.stringMatching(/task\/.*(ghost|silent)/)]);
      expect(code).toBe(3);
    },
  );

  it.each(["missing", "omitted"])(
    "wait: a RUNNING task DescribeTasks %s cannot be called clear (exit 3)",
    async (cluster) => {
      const { code, stdout } = await runCli([
        "wait",
        "--role",
        ROLE,
        "--cluster",
        cluster,
        "--timeout",
        "1s",
      ]);
      expect(stdout).toMatch(/Cannot tell whether role ecsInfrastructureRole is still in use/);
      expect(code).toBe(3);
    },
  );

  it("a task listed as STOPPED that DescribeTasks answers MISSING has aged out: not a gap", async () => {
    const { code, report } = await checkJson(fake, "--cluster", "aged-out", "--role", ROLE);
    expect(report.findings.filter((f) => f.status === "unknown")).toEqual([]);
    expect(code).toBe(0);
    const waited = await runCli(["wait", "--role", ROLE, "--cluster", "aged-out"]);
    expect(waited.code).toBe(0);
  });
});
