import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assumedRoleCredentials, RENEW_BEFORE_MS } from "../../src/collect/targets.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { AUDIT_ROLE, EXTERNAL_ID, MEMBER_A, organisation } from "../support/org.ts";

/** Assumed-role sessions through the real STS client: shared by a target's clients, renewed before they expire. */

let fake: FakeAws;
beforeAll(async () => {
  const { management, world } = organisation();
  fake = await startFakeAws(management, { world });
});
afterAll(() => fake.close());

const settings = () => ({ region: "us-east-1", retryBackoffMs: () => 0 });
const roleArn = `arn:aws:iam::${MEMBER_A}:role/${AUDIT_ROLE}`;
const assumeCalls = () => fake.requests.filter((r) => r.action === "AssumeRole").length;

describe("assumedRoleCredentials", () => {
  beforeAll(() => Object.assign(process.env, fake.env()));

  it("assumes once for many concurrent asks, and renews when the session nears its expiry", async () => {
    let clock = Date.now();
    const provider = assumedRoleCredentials(settings(), {
      roleArn,
      externalId: EXTERNAL_ID,
      durationSeconds: 900,
      now: () => clock,
    });
    const before = assumeCalls();
    const [a, b] = await Promise.all([provider(), provider()]);
    expect(a.accessKeyId).toBe(b.accessKeyId);
    expect(assumeCalls() - before).toBe(1);
    clock += 900_000 - RENEW_BEFORE_MS - 60_000; // a minute before the renewal point: still the same session
    expect((await provider()).accessKeyId).toBe(a.accessKeyId);
    expect(assumeCalls() - before).toBe(1);
    clock += 120_000; // past it: a new session
    const renewed = await provider();
    expect(renewed.accessKeyId).not.toBe(a.accessKeyId);
    expect(assumeCalls() - before).toBe(2);
    expect(fake.requests.filter((r) => r.action === "AssumeRole").at(-1)?.params).toMatchObject({
      RoleArn: roleArn,
      ExternalId: EXTERNAL_ID,
      DurationSeconds: "900",
    });
  });

  it("fails with the STS error when the trust refuses the caller", async () => {
    const provider = assumedRoleCredentials(settings(), { roleArn, externalId: "wrong" });
    await expect(provider()).rejects.toMatchObject({ name: "AccessDenied" });
  });
});
