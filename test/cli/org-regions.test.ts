import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import type { Target } from "../../src/targets/account-regions.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson, runCli } from "../support/cli.ts";
import { AUDIT_ROLE, EXTERNAL_ID, MANAGEMENT, MEMBER_A, organisation, SUSPENDED } from "../support/org.ts";

/** --all-regions when one account's Regions cannot be listed: its other Regions are unknown, never silently left out. */

let fake: FakeAws;
const ROLE = ["--role", "ecsInfrastructureRole"];
const ASSUME = ["--assume-role", AUDIT_ROLE, "--external-id", EXTERNAL_ID];

beforeAll(async () => {
  const { management, world } = organisation();
  // Member A has a Region enabled that the caller's account has not.
  world.enabledRegions = { ...world.enabledRegions, [MEMBER_A]: ["us-east-1", "eu-west-1", "ap-south-1"] };
  fake = await startFakeAws(management, { world });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());

describe("--all-regions with DescribeRegions denied in one account", () => {
  it("check: the account is unknown (exit 3), naming the call, not a pass over the caller's Regions", async () => {
    fake.setFaults([{ service: "ec2", action: "DescribeRegions", account: MEMBER_A, kind: "access-denied" }]);
    const { code, report } = await checkJson(
      fake,
      ...ROLE,
      "--accounts",
      MEMBER_A,
      "--all-regions",
      ...ASSUME,
    );
    expect(code).toBe(3);
    const unread = report.findings.filter((f) => f.resource === `${MEMBER_A}/enabled-regions`);
    expect(unread).toHaveLength(1);
    expect(unread[0]).toMatchObject({ rule: "target-access", status: "unknown", account: MEMBER_A });
    expect(unread[0]?.message).toContain("ec2:DescribeRegions failed with UnauthorizedOperation");
    expect(
      report.targets?.find((t) => t.account === MEMBER_A && t.region === unread[0]?.region)?.verdict,
    ).toBe("unknown");
  });

  it("check: a role refused while listing Regions but assumed later still leaves its other Regions unknown", async () => {
    // The first AssumeRole (to list member A's Regions) is refused; the targets' own sessions are granted.
    fake.setFaults([{ service: "sts", action: "AssumeRole", kind: "access-denied", times: 1 }]);
    const { code, report } = await checkJson(
      fake,
      ...ROLE,
      "--accounts",
      MEMBER_A,
      "--all-regions",
      ...ASSUME,
    );
    expect(report.targets?.every((t) => !t.error)).toBe(true);
    const unread = report.findings.filter((f) => f.resource === `${MEMBER_A}/enabled-regions`);
    expect(unread.map((f) => f.message)).toEqual([
      expect.stringContaining("sts:AssumeRole failed with AccessDenied"),
    ]);
    expect(code).toBe(3);
  });

  it("check: an account that lists all its Regions is checked in each of them", async () => {
    fake.setFaults([]);
    const { report } = await checkJson(fake, ...ROLE, "--accounts", MEMBER_A, "--all-regions", ...ASSUME);
    expect(report.targets?.map((t) => t.region).sort()).toEqual(["ap-south-1", "eu-west-1", "us-east-1"]);
  });

  it("targets: the account's item says so, and merge --expect of the fan-out's reports is unknown", async () => {
    fake.setFaults([{ service: "ec2", action: "DescribeRegions", account: MEMBER_A, kind: "access-denied" }]);
    const listing = await runCli(["targets", "--accounts", MEMBER_A, "--all-regions", ...ASSUME]);
    expect(listing.code).toBe(0);
    const listed = JSON.parse(listing.stdout) as Target[];
    expect(listed.map((t) => t.region).sort()).toEqual(["eu-west-1", "us-east-1"]);
    expect(listed.filter((t) => t.regionsUnread)).toHaveLength(1);
    expect(listed.find((t) => t.regionsUnread)?.regionsUnread?.code).toBe("UnauthorizedOperation");
    // The fan-out: one check per listed item, each with the flags a Distributed Map passes; then merge --expect.
    fake.setFaults([]);
    const dir = await mkdtemp(join(tmpdir(), "org-regions-"));
    const expected = join(dir, "targets.json");
    await writeFile(expected, listing.stdout);
    const files: string[] = [];
    for (const t of listed) {
      const output = join(dir, `${t.account}-${t.region}.json`);
      const run = await runCli([
        ...["check", ...ROLE, "--accounts", t.account, "--regions", t.region, ...ASSUME],
        ...["--format", "json", "--output", output],
      ]);
      expect(run.code).toBe(0);
      files.push(output);
    }
    const merged = await runCli(["merge", ...files, "--expect", expected, "--format", "json"]);
    expect(merged.code).toBe(3);
    const report = JSON.parse(merged.stdout) as Report;
    expect(report.findings.filter((f) => f.resource === `${MEMBER_A}/enabled-regions`)).toHaveLength(1);
    // Without --expect the reports alone cannot know: the docs tell fan-outs to pass it.
    expect((await runCli(["merge", ...files])).code).toBe(0);
  });

  it("the caller's own DescribeRegions failing is exit 3 with one line, not an internal error", async () => {
    fake.setFaults([
      { service: "ec2", action: "DescribeRegions", account: MANAGEMENT, kind: "access-denied" },
    ]);
    const { code, stderr } = await runCli(["check", ...ROLE, "--all-regions"]);
    expect(code).toBe(3);
    expect(stderr).toContain("cannot list the caller's enabled Regions for --all-regions");
    expect(stderr).not.toContain("internal error");
  });

  it("the caller's DescribeRegions answering none is exit 3, not an empty fan-out", async () => {
    fake.setFaults([]);
    const regions = fake.world.options.enabledRegions ?? {};
    const own = regions[MANAGEMENT];
    regions[MANAGEMENT] = [];
    try {
      const { code, stdout, stderr } = await runCli(["targets", "--all-regions"]);
      expect(code).toBe(3);
      expect(stdout).toBe("");
      expect(stderr).toContain("ec2:DescribeRegions listed none");
    } finally {
      if (own) regions[MANAGEMENT] = own;
    }
  });

  it("targets over an organisation with no ACTIVE account is exit 3, as check is", async () => {
    fake.setFaults([]);
    const options = fake.world.options;
    const members = options.members;
    options.members = [{ id: SUSPENDED, status: "SUSPENDED" }];
    try {
      const { code, stdout, stderr } = await runCli(["targets", "--all-accounts", ...ASSUME]);
      expect(code).toBe(3);
      expect(stdout).toBe("");
      expect(stderr).toContain("the target flags name no account-Region to check");
    } finally {
      options.members = members;
    }
  });
});
