import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_ID, awsManagedVolumesPolicy, infrastructureRole } from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson } from "../support/cli.ts";

/** AWS settings the AWS way: --profile / AWS_PROFILE from the shared config files, Region from the profile. */

let fake: FakeAws;
const saved = { ...process.env };

beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [infrastructureRole({ name: "r" })],
    managedPolicies: [awsManagedVolumesPolicy()],
  });
  const dir = mkdtempSync(join(tmpdir(), "aws-"));
  writeFileSync(
    join(dir, "credentials"),
    "[ops]\naws_access_key_id = AKIAOPSEXAMPLE\naws_secret_access_key = opssecret\n",
  );
  writeFileSync(join(dir, "config"), "[profile ops]\nregion = eu-west-1\n");
  Object.assign(process.env, fake.env(), {
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    AWS_CONFIG_FILE: join(dir, "config"),
  });
  // Only the profile may provide credentials and the Region here.
  for (const key of [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
  ]) {
    delete process.env[key];
  }
});
afterAll(async () => {
  process.env = saved;
  await fake.close();
});

describe("--profile", () => {
  it("takes credentials and the Region from the named profile", async () => {
    const { code, report, calls } = await checkJson(fake, "--profile", "ops", "--role", "r");
    expect(code).toBe(0);
    expect(report.region).toBe("eu-west-1");
    expect(calls.length).toBeGreaterThan(0);
  });

  it("AWS_PROFILE works the same way", async () => {
    process.env.AWS_PROFILE = "ops";
    try {
      const { code, report } = await checkJson(fake, "--role", "r");
      expect(code).toBe(0);
      expect(report.region).toBe("eu-west-1");
    } finally {
      delete process.env.AWS_PROFILE;
    }
  });

  it("a profile without credentials makes every check unknown (exit 3), not a pass", async () => {
    const { code, report } = await checkJson(
      fake,
      "--profile",
      "nobody",
      "--role",
      "r",
      "--region",
      "us-east-1",
    );
    expect(code).toBe(3);
    expect(report.findings.every((f) => f.status === "unknown")).toBe(true);
  });
});
