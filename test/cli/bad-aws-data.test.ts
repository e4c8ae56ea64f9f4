import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
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

/** Malformed or surprising data from AWS itself: the affected rule is unknown (or the data is handled), never a crash. */

const MAX_POLICY = 131_072;

/** A valid policy document of exactly `size` characters that grants the three volume actions. */
function policyOfSize(size: number): string {
  const grant = {
    Sid: "Volumes",
    Effect: "Allow",
    Action: ["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:DescribeVolumes"],
    Resource: "*",
  };
  const filler = (n: number) => ({
    Sid: "Filler",
    Effect: "Allow",
    Action: "s3:GetObject",
    Resource: `arn:aws:s3:::${"b".repeat(n)}/*`,
  });
  const build = (n: number) => JSON.stringify({ Version: "2012-10-17", Statement: [grant, filler(n)] });
  const text = build(0);
  return build(size - text.length);
}

let fake: FakeAws;
beforeAll(async () => {
  const big = policyOfSize(MAX_POLICY);
  expect(big.length).toBe(MAX_POLICY);
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [
      infrastructureRole({
        name: "not-json",
        inline: { broken: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",' },
      }),
      infrastructureRole({
        name: "bad-grammar",
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Permit", Principal: { Service: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
      }),
      infrastructureRole({
        name: "wrong-version",
        inline: {
          v: { Version: "2014-01-01", Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }] },
        },
      }),
      infrastructureRole({ name: "largest", attached: [], inline: { big } }),
      infrastructureRole({ name: "future" }),
    ],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "future",
        services: [
          {
            ...ebsService({ name: "api", roleArn: roleArnOf("future") }),
            status: "HIBERNATING",
            schedulingStrategy: "QUANTUM",
          },
        ],
        tasks: [
          {
            ...ebsTask({
              id: "t1",
              roleArn: roleArnOf("future"),
              service: "api",
              volumeId: "vol-1",
              attachmentStatus: "QUIESCING",
            }),
            lastStatus: "SUSPENDED",
            launchType: "ORBITAL",
            stopCode: "CosmicRay",
          },
          ebsTask({
            id: "t2",
            roleArn: roleArnOf("future"),
            service: "api",
            volumeId: "vol-2",
            lastStatus: "DEPROVISIONING",
            attachmentStatus: "RETRYING",
            stoppingAt: new Date(Date.now() - 30 * 60_000).toISOString(),
          }),
        ],
      },
    ],
  });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

async function check(...args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const { code, stdout, stderr } = await runCli(["check", "--format", "json", ...args]);
  expect(stderr).not.toMatch(/\n\s+at [\w.<]/);
  expect(stderr).not.toMatch(/ecs-preflight: internal error/);
  return { code, report: JSON.parse(stdout) as Report, stderr };
}
const find = (r: Report, rule: string, role: string) =>
  r.findings.find((f) => f.rule === rule && f.resource === roleArnOf(role));

describe("malformed and surprising AWS data", () => {
  it("a policy document that is not JSON makes volume-permissions unknown, naming the policy", async () => {
    const { code, report } = await check("--role", "not-json");
    const f = find(report, "volume-permissions", "not-json");
    expect(f?.status).toBe("unknown");
    expect(f?.message).toMatch(/iam:GetRolePolicy failed with MalformedPolicyDocument: inline policy broken/);
    expect(code).toBe(3);
  });

  it("a trust policy with an invalid Effect makes trust-policy unknown with the JSON path", async () => {
    const { report } = await check("--role", "bad-grammar");
    const f = find(report, "trust-policy", "bad-grammar");
    expect(f?.status).toBe("unknown");
    expect(f?.message).toMatch(/Statement\[0\]\.Effect/);
  });

  it("an unknown policy Version is unknown, not guessed", async () => {
    const { report } = await check("--role", "wrong-version");
    expect(find(report, "volume-permissions", "wrong-version")?.status).toBe("unknown");
  });

  it("a document at IAM's 131,072-character limit is evaluated like any other", async () => {
    const { report } = await check("--role", "largest");
    const f = find(report, "volume-permissions", "largest");
    expect(f?.status).toBe("pass");
    expect(f?.message).toMatch(/may detach, delete and describe/);
  });

  it("statuses and enum values AWS may add later are carried through, not fatal", async () => {
    const { code, report } = await check("--cluster", "future");
    const stuck = report.findings.filter((f) => f.rule === "tasks-deprovisioning" && f.status === "fail");
    expect(stuck.map((f) => f.details?.attachmentStatus)).toEqual(["RETRYING"]);
    // The SUSPENDED task is not DEPROVISIONING: not stuck, but still a task that depends on the role.
    expect(report.findings.some((f) => f.resource.endsWith("/t1") && f.status === "fail")).toBe(false);
    expect(find(report, "role-exists", "future")?.status).toBe("pass");
    expect(code).toBe(1);
  });
});
