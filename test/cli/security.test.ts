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
import { runCli } from "../support/cli.ts";

/** What must never reach the logs: credentials, session tokens, and (at info level) policy documents. */

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";
let fake: FakeAws;

beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [
      infrastructureRole({
        name: "api-role",
        inline: {
          marker: {
            Version: "2012-10-17",
            Statement: [{ Sid: "DocumentMarkerSid", Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
          },
        },
      }),
    ],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        services: [ebsService({ name: "api", roleArn: roleArnOf("api-role") })],
        tasks: [ebsTask({ id: "a", roleArn: roleArnOf("api-role"), service: "api", volumeId: "vol-1" })],
      },
    ],
  });
  Object.assign(process.env, fake.env(), { AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN });
});
afterAll(async () => {
  delete process.env.AWS_SESSION_TOKEN;
  await fake.close();
});

describe("logs", () => {
  it.each(["info", "trace"])("at %s hold no credentials or session tokens", async (level) => {
    const run = await runCli(["check", "--format", "json", "--log-level", level]);
    expect(run.stderr.length).toBeGreaterThan(0);
    expect(run.stderr).not.toContain(SECRET);
    expect(run.stderr).not.toContain(TOKEN);
    expect(run.stdout).not.toContain(SECRET);
  });

  it("at info hold no policy document", async () => {
    const run = await runCli(["check", "--format", "json", "--log-level", "info"]);
    expect(run.stderr).toMatch(/"msg":"check finished"/);
    for (const text of ["DocumentMarkerSid", "sts:AssumeRole", '"Statement"', "AmazonECSManaged"]) {
      expect(run.stderr, text).not.toContain(text);
    }
  });

  it("every log line is JSON off a terminal (cron and CI)", async () => {
    const run = await runCli(["check", "--format", "json", "--log-level", "info"]);
    for (const line of run.stderr.trim().split("\n")) expect(() => JSON.parse(line), line).not.toThrow();
  });
});

describe("progress on a terminal", () => {
  it("draws a status line on a terminal's stderr while reading AWS, erases it, and leaves stdout alone", async () => {
    const run = await runCli(["check", "--format", "json"], { stderrTty: true });
    expect(run.stderr).toMatch(/Reading ECS clusters, services and tasks/);
    expect(run.stderr).toMatch(/Reading IAM roles \d+\/1/);
    expect(run.stderr.endsWith("\r\u001b[2K")).toBe(true);
    expect(JSON.parse(run.stdout).verdict).toBeDefined();
  });

  it("draws nothing off a terminal (CI, cron, pipes)", async () => {
    const run = await runCli(["check", "--format", "json", "--log-level", "warn"]);
    expect(run.stderr).not.toMatch(/Reading IAM roles/);
  });
});
