import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import type { Facts } from "../../src/facts/types.ts";
import type { Report } from "../../src/report/types.ts";
import type { FakeVolume } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  REGION,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson, runCli } from "../support/cli.ts";

/** End to end: leaked ECS-managed volumes through the CLI, the real EC2 client and the fake AWS. */

const DAY = 86_400_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const API_ROLE = roleArnOf("api-role");
const taskArn = (cluster: string, id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/${cluster}/${id}`;
const volumeArn = (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT_ID}:volume/${id}`;

function ecsVolume(id: string, task: string, state: "available" | "in-use"): FakeVolume {
  return {
    volumeId: id,
    state,
    size: 50,
    volumeType: "gp3",
    iops: 3000,
    throughput: 125,
    availabilityZone: `${REGION}b`,
    createTime: ago(3 * DAY),
    tags: { AmazonECSManaged: "true", AmazonECSCreated: task },
    attachments:
      state === "in-use"
        ? [{ associatedResource: task, instanceOwningService: "ecs.amazonaws.com", state: "attached" }]
        : [],
  };
}

let fake: FakeAws;
const dir = mkdtempSync(join(tmpdir(), "leaked-"));
beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: ACCOUNT_ID,
      roles: [infrastructureRole({ name: "api-role" })],
      managedPolicies: [awsManagedVolumesPolicy()],
      clusters: [
        {
          name: "prod",
          services: [ebsService({ name: "api", roleArn: API_ROLE })],
          tasks: [
            ebsTask({ id: "api1", roleArn: API_ROLE, service: "api", volumeId: "vol-0api1" }),
            ebsTask({ id: "api2", roleArn: API_ROLE, service: "api", volumeId: "vol-0api2" }),
            // A standalone task whose role was deleted before it stopped: ECS gave up on its volume.
            ebsTask({
              id: "batch1",
              roleArn: roleArnOf("batch-role"),
              lastStatus: "STOPPED",
              attachmentStatus: "DELETED",
              volumeId: "vol-0batch1",
              stoppingAt: ago(2 * DAY),
            }),
          ],
        },
        { name: "other", tasks: [] },
      ],
      volumes: [
        ecsVolume("vol-0api1", taskArn("prod", "api1"), "in-use"),
        ecsVolume("vol-0api2", taskArn("prod", "api2"), "in-use"),
        ecsVolume("vol-0batch1", taskArn("prod", "batch1"), "available"),
        ecsVolume("vol-0forgot", taskArn("prod", "forgotten"), "available"),
        ecsVolume("vol-0other", taskArn("other", "o1"), "available"),
        { volumeId: "vol-0mine", state: "available", tags: { Name: "not ECS's" } },
      ],
    },
    // Two volumes a page: the five ECS-managed ones take three DescribeVolumes calls.
    { pageSize: { ec2: 2 } },
  );
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());
afterEach(() => fake.setFaults([]));

async function check(...args: string[]) {
  const run = await checkJson(fake, ...args);
  return { ...run, ec2Calls: run.calls.filter((r) => r.service === "ec2") };
}

const leaked = (report: Report) =>
  Object.fromEntries(
    report.findings.filter((f) => f.rule === "leaked-volumes").map((f) => [f.resource, f.status]),
  );

describe("leaked-volumes through the CLI", () => {
  it("warns for each leaked volume of the cluster in scope; warnings alone exit 0", async () => {
    const { code, report, ec2Calls } = await check("--cluster", "prod");
    expect(leaked(report)).toEqual({
      [volumeArn("vol-0batch1")]: "warn",
      [volumeArn("vol-0forgot")]: "warn",
    });
    const batch = report.findings.find((f) => f.resource === volumeArn("vol-0batch1"));
    expect(batch?.message).toMatch(
      /^Volume vol-0batch1 \(50 GiB gp3, created for task batch1 in cluster prod\) was not deleted: it is attached to nothing and still costs an estimated \$4\.00 a month\. Its task is STOPPED/,
    );
    expect(batch?.message).toMatch(/names role batch-role, which is not in this check's scope/);
    expect(batch?.remediation).toMatch(
      /ecs-preflight check --role batch-role[\s\S]*aws ec2 create-snapshot[\s\S]*aws ec2 delete-volume --region us-east-1 --volume-id vol-0batch1/,
    );
    expect(report.verdict).toBe("warn");
    expect(code).toBe(0);
    expect(ec2Calls.map((c) => [c.action, c.params["Filter.1.Name"], c.status])).toEqual([
      ["DescribeVolumes", "tag:AmazonECSManaged", 200],
      ["DescribeVolumes", "tag:AmazonECSManaged", 200],
      ["DescribeVolumes", "tag:AmazonECSManaged", 200],
    ]);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(reportSchema);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it("--fail-on warn makes the leaked volumes block: exit 1", async () => {
    const { code, report } = await check("--cluster", "prod", "--fail-on", "warn");
    expect(leaked(report)[volumeArn("vol-0batch1")]).toBe("warn");
    expect(code).toBe(1);
  });

  it("a Region-wide check also reports the other cluster's leaked volume", async () => {
    const { report } = await check();
    expect(leaked(report)[volumeArn("vol-0other")]).toBe("warn");
  });

  it("ec2:DescribeVolumes denied: unknown naming the permission, exit 3", async () => {
    fake.setFaults([{ service: "ec2", action: "DescribeVolumes", kind: "access-denied" }]);
    const { code, report } = await check("--cluster", "prod");
    const finding = report.findings.find((f) => f.rule === "leaked-volumes");
    expect(leaked(report)).toEqual({ [volumeArn("*")]: "unknown" });
    expect(finding?.details?.missingPermission).toBe("ec2:DescribeVolumes");
    expect(finding?.message).toMatch(/ec2:DescribeVolumes failed with UnauthorizedOperation/);
    expect(code).toBe(3);
  });

  it("EC2 throttled (RequestLimitExceeded) on every 3rd request: the same findings as without faults", async () => {
    const clean = await check("--cluster", "prod");
    fake.setFaults([{ service: "ec2", kind: "throttle", every: 3, oncePerCall: true }]);
    const faulted = await check("--cluster", "prod");
    expect(faulted.ec2Calls.some((c) => c.status === 503)).toBe(true);
    const outcome = (r: Report) =>
      r.findings.map((f) => `${f.rule} ${f.resource} ${f.status} ${f.message}`).sort();
    expect(outcome(faulted.report)).toEqual(outcome(clean.report));
    expect(faulted.code).toBe(clean.code);
  });

  it("no EC2 call for a role-only check, nor when leaked-volumes is off in the config", async () => {
    expect((await check("--role", "api-role")).ec2Calls).toEqual([]);
    const config = join(dir, "off.json");
    writeFileSync(config, JSON.stringify({ rules: { "leaked-volumes": "off" } }));
    const off = await check("--cluster", "prod", "--config", config);
    expect(off.ec2Calls).toEqual([]);
    expect(leaked(off.report)).toEqual({});
  });

  it("snapshot keeps the volume facts (schema-valid) and check --snapshot replays them to the same findings", async () => {
    const file = join(dir, "facts.json");
    expect((await runCli(["snapshot", "--cluster", "prod", "--out", file])).code).toBe(0);
    const facts = JSON.parse(readFileSync(file, "utf8")) as Facts;
    const batch = facts.ec2?.volumes.ok
      ? facts.ec2.volumes.value.find((v) => v.volumeId === "vol-0batch1")
      : undefined;
    expect(batch?.tags).toEqual({ AmazonECSManaged: "true", AmazonECSCreated: taskArn("prod", "batch1") });
    const live = await check("--cluster", "prod");
    const replay = await check("--snapshot", file);
    expect(replay.ec2Calls).toEqual([]);
    expect(replay.report.findings).toEqual(live.report.findings);
  });

  it("each leak's cost and the total in the report; prices from --config; a bad price exits 2 naming it", async () => {
    const { report } = await check("--cluster", "prod");
    // Two gp3 50 GiB volumes at baseline: 2 × 50 × $0.08 = $8.00.
    expect(report.leakedVolumes).toEqual({ volumes: 2, estimatedMonthlyCostUsd: 8, unpricedVolumes: 0 });
    const config = join(dir, "prices.json");
    writeFileSync(config, JSON.stringify({ prices: { gp3: { gibMonth: 0.1 } } }));
    const priced = await check("--cluster", "prod", "--config", config);
    // 2 × 50 × $0.10 = $10.00
    expect(priced.report.leakedVolumes?.estimatedMonthlyCostUsd).toBe(10);
    const text = await runCli(["check", "--cluster", "prod", "--config", config]);
    expect(text.stdout).toMatch(/Leaked volumes {2}2 leaked volumes, an estimated \$10\.00 a month/);
    const bad = join(dir, "bad-prices.json");
    writeFileSync(bad, JSON.stringify({ prices: { gp3: { gibMonth: "cheap" } } }));
    const refused = await runCli(["check", "--cluster", "prod", "--config", bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad}: prices.gp3.gibMonth: expected a price in USD per GiB-month`);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });
});
