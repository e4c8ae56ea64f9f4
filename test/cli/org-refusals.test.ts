import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";
import { AUDIT_ROLE, MEMBER_A, organisation } from "../support/org.ts";

/**
 * Inputs of one account-Region (a snapshot) or one account (a plan) never fan out beyond it: those target flags beside
 * them are exit 2, before AWS. (A plan across the caller's own Regions is allowed: test/cli/plan-regions.test.ts.)
 */

let fake: FakeAws;
beforeAll(async () => {
  const { management, world } = organisation();
  fake = await startFakeAws(management, { world });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

const SNAPSHOT = "fixtures/demo/account.json";
const PLAN = "test/changes/terraform/fixtures/delete-role.json";

describe("target flags beside one account-Region's input", () => {
  it.each([
    [["check", "--snapshot", SNAPSHOT, "--regions", "eu-west-1"], /cannot be combined with --snapshot/],
    [
      ["check", "--snapshot", SNAPSHOT, "--accounts", MEMBER_A, "--assume-role", AUDIT_ROLE],
      /with --snapshot/,
    ],
    [["check", "--snapshot", SNAPSHOT, "--all-regions"], /cannot be combined with --snapshot/],
    [
      ["check", "--plan", PLAN, "--all-accounts", "--assume-role", AUDIT_ROLE],
      /--plan cannot be combined with --accounts, --all-accounts/,
    ],
    [
      [
        "check",
        "--plan",
        PLAN,
        "--accounts",
        MEMBER_A,
        "--regions",
        "us-east-1",
        "--assume-role",
        AUDIT_ROLE,
      ],
      /a plan is one account's change/,
    ],
    [["snapshot", "--out", "/tmp/never.json", "--all-regions"], /unknown option '--all-regions'/],
    [["snapshot", "--out", "/tmp/never.json", "--accounts", MEMBER_A], /unknown option '--accounts'/],
  ])("%j is exit 2, with no AWS call", async (args, message) => {
    const before = fake.requests.length;
    const { code, stdout, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(fake.requests.length).toBe(before);
  });
});
