import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
import { runBundle, runCli } from "../support/cli.ts";

/**
 * When every AWS call fails for one reason, the report says it once, at the top, with the fix; each finding stays
 * unknown and the exit code is 3. Each run sees exactly its environment (runCli's processEnv), as a process would;
 * the last test runs the bundle in a real process with it.
 */

const ROLE = roleArnOf("api-role");
let fake: FakeAws;
const EMPTY = join(tmpdir(), "ecs-preflight-empty-aws-config");

beforeAll(async () => {
  writeFileSync(EMPTY, "");
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [infrastructureRole({ name: "api-role" })],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        services: [ebsService({ name: "api", roleArn: ROLE })],
        tasks: [ebsTask({ id: "api1", roleArn: ROLE, service: "api", volumeId: "vol-0api1" })],
      },
    ],
  });
});
afterAll(() => fake.close());

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

function withEndpoint(url: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fake.env()).map(([k, v]) => [
      k,
      k.startsWith("AWS_ENDPOINT_URL") && k !== "AWS_ENDPOINT_URL" ? url : k === "AWS_ENDPOINT_URL" ? url : v,
    ]),
  );
}

const noCredentials = () => {
  const { AWS_ACCESS_KEY_ID: _k, AWS_SECRET_ACCESS_KEY: _s, ...env } = fake.env();
  return {
    ...env,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: EMPTY,
    AWS_SHARED_CREDENTIALS_FILE: EMPTY,
  };
};

const ARGS = ["check", "--cluster", "prod", "--log-level", "silent", "--max-attempts", "1"];

async function scenario(env: Record<string, string>, format: string) {
  const before = fake.requests.length;
  const run = await runCli([...ARGS, "--format", format], { processEnv: env });
  return { ...run, requests: fake.requests.length - before };
}

describe("one reason for every failed call, said once", () => {
  it.each([
    ["no credentials", "no-credentials", /^No AWS credentials found$/, /set AWS_PROFILE/],
    [
      "an unreachable endpoint",
      "unreachable-endpoint",
      /^AWS could not be reached \(127\.0\.0\.1:\d+\)$/,
      /network/,
    ],
    ["an expired token", "expired-credentials", /^The AWS credentials have expired$/, /aws sso login/],
  ])("%s: json has commonCause, each finding is unknown, exit 3", async (what, kind, summary, fix) => {
    let env: Record<string, string>;
    if (what === "no credentials") env = noCredentials();
    else if (what === "an unreachable endpoint") env = withEndpoint(`http://127.0.0.1:${await closedPort()}`);
    else {
      env = fake.env();
      fake.setFaults([{ kind: "expired-token" }]);
    }
    try {
      const { code, stdout, stderr, requests } = await scenario(env, "json");
      expect(code, stderr).toBe(3);
      const report = JSON.parse(stdout) as Report;
      expect(report.findings.length).toBeGreaterThan(0);
      for (const f of report.findings) expect(f.status, f.message).toBe("unknown");
      expect(report.commonCause?.kind).toBe(kind);
      expect(report.commonCause?.summary).toMatch(summary);
      expect(report.commonCause?.fix).toMatch(fix);
      expect(report.commonCause?.failedCalls).toBeGreaterThan(1);
      // No credentials: the SDK never sends a request; an expired token: every request was answered, and refused.
      if (what === "no credentials") expect(requests).toBe(0);
      if (what === "an expired token") expect(requests).toBeGreaterThan(1);
      if (what === "an expired token")
        expect(report.commonCause?.code).toMatch(/^Expired?Token|RequestExpired/);
    } finally {
      fake.setFaults([]);
    }
  });

  it("text says it once, at the top, before the first finding", async () => {
    const { code, stdout } = await scenario(noCredentials(), "text");
    expect(code).toBe(3);
    const lines = stdout.split("\n");
    expect(lines[2]).toMatch(
      /^No AWS credentials found: all \d+ AWS reads failed \(CredentialsProviderError: /,
    );
    expect(lines[3]).toMatch(/^Fix: set AWS_PROFILE/);
    expect(stdout.match(/No AWS credentials found/g)).toHaveLength(1);
    const firstFinding = stdout.search(/^UNKNOWN [a-z]/m);
    expect(firstFinding).toBeGreaterThan(0);
    expect(stdout.indexOf("No AWS credentials found")).toBeLessThan(firstFinding);
  });

  it("markdown says it once, above the table", async () => {
    const { stdout } = await scenario(noCredentials(), "markdown");
    expect(stdout.match(/No AWS credentials found/g)).toHaveLength(1);
    expect(stdout.indexOf("> **No AWS credentials found**")).toBeLessThan(stdout.indexOf("| Status |"));
    expect(stdout).toMatch(/^> \*\*Fix:\*\* set AWS_PROFILE/m);
  });

  it("is absent when any call succeeded (only IAM's token refused) and on a healthy run", async () => {
    fake.setFaults([{ service: "iam", kind: "expired-token" }]);
    try {
      const partial = await scenario(fake.env(), "json");
      expect(partial.code).toBe(3);
      expect((JSON.parse(partial.stdout) as Report).commonCause).toBeUndefined();
    } finally {
      fake.setFaults([]);
    }
    const healthy = await scenario(fake.env(), "json");
    expect(healthy.code).toBe(0);
    expect((JSON.parse(healthy.stdout) as Report).commonCause).toBeUndefined();
  });

  it("the bundle in a real process says the same as the in-process run", async () => {
    const inProcess = await scenario(noCredentials(), "json");
    const bundled = await runBundle([...ARGS, "--format", "json"], noCredentials());
    expect(bundled.code, bundled.stderr).toBe(3);
    const commonCause = (run: { stdout: string }) => (JSON.parse(run.stdout) as Report).commonCause;
    expect(commonCause(bundled)?.kind).toBe("no-credentials");
    expect(commonCause(bundled)).toEqual(commonCause(inProcess));
  });
});
