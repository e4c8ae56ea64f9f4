import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import type { RecordedRequest } from "../fake-aws/server.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { checkJson, checkJsonWith, runBundle, runCli } from "../support/cli.ts";
import {
  AUDIT_ROLE,
  EXTERNAL_ID,
  MANAGEMENT,
  MEMBER_A,
  MEMBER_B,
  organisation,
  SUSPENDED,
} from "../support/org.ts";

/** End to end over an organisation: the CLI, the real SDK, the fake serving several accounts and Regions. */

let fake: FakeAws;
const ROLE = ["--role", "ecsInfrastructureRole"];
const ORG = ["--all-accounts", "--all-regions", "--assume-role", AUDIT_ROLE, "--external-id", EXTERNAL_ID];

beforeAll(async () => {
  const { management, world } = organisation();
  fake = await startFakeAws(management, { world, pageSize: { cloudtrail: 1, organizations: 1 } });
  Object.assign(process.env, fake.env());
});
afterAll(() => fake.close());
beforeEach(() => {
  // Member A's CloudTrail in eu-west-1 is denied: that one account-Region cannot be decided.
  fake.setFaults([{ service: "cloudtrail", account: MEMBER_A, region: "eu-west-1", kind: "access-denied" }]);
});

const where = (t: { account: string; region: string }) => `${t.account}/${t.region}`;
const of = (calls: RecordedRequest[], action: string) => calls.filter((c) => c.action === action);

describe("check over the whole organisation", () => {
  let code: number;
  let report: Report;
  let calls: RecordedRequest[];
  beforeAll(async () => {
    fake.setFaults([
      { service: "cloudtrail", account: MEMBER_A, region: "eu-west-1", kind: "access-denied" },
    ]);
    // In real time: this run's request log is where the pacing below is measured.
    ({ code, report, calls } = await checkJsonWith(fake, [...ROLE, ...ORG], { realTimePacing: true }));
  });

  it("checks every ACTIVE account in every enabled Region, worst first, and exits with the worst verdict", () => {
    expect(report.targets?.map((t) => [where(t), t.verdict])).toEqual([
      [`${MEMBER_A}/eu-west-1`, "unknown"],
      [`${MEMBER_B}/eu-west-1`, "unknown"],
      [`${MEMBER_B}/us-east-1`, "unknown"],
      [`${MANAGEMENT}/eu-west-1`, "pass"],
      [`${MANAGEMENT}/us-east-1`, "pass"],
      [`${MEMBER_A}/us-east-1`, "pass"],
    ]);
    expect(report.targets?.some((t) => t.account === SUSPENDED)).toBe(false);
    expect(report.verdict).toBe("unknown");
    expect(code).toBe(3);
    expect(report.exitCode).toBe(3);
    // Several accounts and Regions: the single-target fields hold null.
    expect(report.account).toBeNull();
    expect(report.region).toBeNull();
  });

  it("counts the AWS calls per target, and in all the targets' and the fan-out's own (accounts, Regions, AssumeRole)", () => {
    const reached = (report.targets ?? []).filter((t) => !t.error);
    expect(reached.length).toBeGreaterThan(0);
    for (const t of reached) expect(t.aws?.calls, where(t)).toBeGreaterThan(0);
    const targetCalls = reached.reduce((n, t) => n + (t.aws?.calls ?? 0), 0);
    // ListAccounts, DescribeRegions, AssumeRole: the fan-out's own calls are in the total, in no target.
    expect(report.aws?.calls).toBeGreaterThan(targetCalls);
    expect((report.aws?.calls ?? 0) + (report.aws?.retries ?? 0)).toBe(calls.length);
    expect(report.aws?.throttled).toBe(0);
  });

  it("names account, Region, role and error for the account whose role cannot be assumed", () => {
    const b = report.findings.filter((f) => f.account === MEMBER_B);
    expect(b).toHaveLength(2);
    for (const f of b) {
      expect(f).toMatchObject({ rule: "target-access", status: "unknown" });
      expect(f.message).toContain(`account ${MEMBER_B}`);
      expect(f.message).toContain(`arn:aws:iam::${MEMBER_B}:role/${AUDIT_ROLE}`);
      expect(f.message).toContain("AccessDenied");
      expect(f.message).toContain(f.region);
    }
    const target = report.targets?.find((t) => t.account === MEMBER_B);
    expect(target?.error).toMatchObject({ api: "sts:AssumeRole", code: "AccessDenied" });
  });

  it("keeps the failing account-Region's reads unknown while its other Region passes", () => {
    const west = report.findings.filter((f) => f.account === MEMBER_A && f.region === "eu-west-1");
    expect(west.some((f) => f.rule === "cloudtrail-errors" && f.status === "unknown")).toBe(true);
    const east = report.findings.filter((f) => f.account === MEMBER_A && f.region === "us-east-1");
    expect(east.length).toBeGreaterThan(0);
    // A --role-only check knows nobody who deploys with the role: pass-role is not judged there.
    expect(east.every((f) => f.status === "pass" || (f.rule === "pass-role" && f.status === "skipped"))).toBe(
      true,
    );
    // Every finding says where it was found; the summary is recomputed over all of them.
    expect(report.findings.every((f) => f.account && f.region)).toBe(true);
    const total = (report.targets ?? []).reduce((n, t) => n + t.summary.pass, 0);
    expect(report.summary.pass).toBe(total);
  });

  it("assumes roles only in other accounts, sending the ExternalId", () => {
    const assumed = of(calls, "AssumeRole").map((c) => c.params.RoleArn);
    expect(new Set(assumed)).toEqual(
      new Set([`arn:aws:iam::${MEMBER_A}:role/${AUDIT_ROLE}`, `arn:aws:iam::${MEMBER_B}:role/${AUDIT_ROLE}`]),
    );
    expect(of(calls, "AssumeRole").every((c) => c.params.ExternalId === EXTERNAL_ID)).toBe(true);
    // Member A's reads were answered as member A (the assumed session); member B was never reached.
    expect(calls.some((c) => c.account === MEMBER_A && c.action === "GetRole")).toBe(true);
    expect(calls.some((c) => c.account === MEMBER_B)).toBe(false);
    expect(of(calls, "ListAccounts").length).toBe(4); // every page, one account a page
  });

  it("paces CloudTrail per account-Region: at most 2 LookupEvents in any second within one", () => {
    const lookups = of(calls, "LookupEvents").filter((c) => c.status === 200);
    const groups = new Map<string, number[]>();
    for (const c of lookups) {
      const key = `${c.account}/${c.region}`;
      groups.set(key, [...(groups.get(key) ?? []), c.at]);
    }
    // Three targets read CloudTrail (member A's eu-west-1 is denied), each several pages.
    expect(groups.size).toBe(3);
    for (const times of groups.values()) {
      expect(times.length).toBeGreaterThanOrEqual(4);
      // Clock readings differ by a millisecond or two between the pacer and the server: 990 ms, not 1000.
      const worst = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 990).length));
      expect(worst).toBeLessThanOrEqual(2);
    }
  });
});

describe("explicit targets", () => {
  it("checks the named accounts and Regions only", async () => {
    const { code, report, calls } = await checkJson(
      fake,
      ...ROLE,
      "--accounts",
      MEMBER_A,
      "--regions",
      "us-east-1",
      "--assume-role",
      AUDIT_ROLE,
      "--external-id",
      EXTERNAL_ID,
    );
    expect(report.targets?.map(where)).toEqual([`${MEMBER_A}/us-east-1`]);
    expect(code).toBe(0);
    // One target: its account and Region fill the single-target fields.
    expect(report).toMatchObject({ account: MEMBER_A, region: "us-east-1", verdict: "pass" });
    expect(of(calls, "ListAccounts")).toHaveLength(0);
    expect(of(calls, "DescribeRegions")).toHaveLength(0);
    // The audit session deploys nothing: pass-role never judges it. With --role only no service is read, so
    // nobody is known to deploy with the role, and pass-role is not judged (skipped, naming --principal).
    const passRole = report.findings.filter((f) => f.rule === "pass-role");
    expect(passRole.map((f) => f.status)).toEqual(["skipped"]);
    expect(JSON.stringify(passRole)).not.toContain(AUDIT_ROLE);
  });

  it("--principal is judged in its own account only", async () => {
    const principal = `arn:aws:iam::${MEMBER_A}:role/deployer`;
    const { report, calls } = await checkJson(
      fake,
      ...ROLE,
      ...["--accounts", `${MANAGEMENT},${MEMBER_A}`, "--regions", "us-east-1", "--principal", principal],
      ...["--assume-role", AUDIT_ROLE, "--external-id", EXTERNAL_ID],
    );
    const passRole = report.findings.filter((f) => f.rule === "pass-role");
    expect(passRole.length).toBeGreaterThan(0);
    expect(passRole.every((f) => f.account === MEMBER_A)).toBe(true);
    // Read in member A with its session (GetRole of the deployer), never asked of the management account.
    const deployerReads = calls.filter((c) => c.action === "GetRole" && c.params.RoleName === "deployer");
    expect(deployerReads.length).toBeGreaterThan(0);
    expect(deployerReads.every((c) => c.account === MEMBER_A)).toBe(true);
  });

  it("checks the caller's own account in two Regions without any AssumeRole", async () => {
    const { code, report, calls } = await checkJson(fake, ...ROLE, "--regions", "us-east-1,eu-west-1");
    expect(report.targets?.map(where).sort()).toEqual([`${MANAGEMENT}/eu-west-1`, `${MANAGEMENT}/us-east-1`]);
    expect(code).toBe(0);
    expect(of(calls, "AssumeRole")).toHaveLength(0);
    expect(new Set(of(calls, "LookupEvents").map((c) => c.region))).toEqual(
      new Set(["us-east-1", "eu-west-1"]),
    );
    expect(report).toMatchObject({ account: MANAGEMENT, region: null });
  });

  it("a wrong ExternalId makes the member unknown, naming the error; the caller's account still passes", async () => {
    const { code, report } = await checkJson(
      fake,
      ...ROLE,
      "--accounts",
      `${MANAGEMENT},${MEMBER_A}`,
      "--regions",
      "us-east-1",
      "--assume-role",
      AUDIT_ROLE,
      "--external-id",
      "not-the-id",
    );
    expect(code).toBe(3);
    expect(report.targets?.map((t) => [where(t), t.verdict])).toEqual([
      [`${MEMBER_A}/us-east-1`, "unknown"],
      [`${MANAGEMENT}/us-east-1`, "pass"],
    ]);
    expect(report.findings.find((f) => f.account === MEMBER_A)?.message).toMatch(/AssumeRole.*AccessDenied/);
  });

  it("an expired session is unknown, never a pass", async () => {
    fake.world.options.sessionSeconds = 0;
    try {
      const { code, report } = await checkJson(
        fake,
        ...ROLE,
        "--accounts",
        MEMBER_A,
        "--regions",
        "us-east-1",
        "--assume-role",
        AUDIT_ROLE,
        "--external-id",
        EXTERNAL_ID,
      );
      expect(code).toBe(3);
      expect(report.verdict).toBe("unknown");
      expect(JSON.stringify(report.findings)).toContain("ExpiredToken");
    } finally {
      delete fake.world.options.sessionSeconds;
    }
  });
});

describe("isolation", () => {
  it("a target whose reads time out is unknown; the other targets go on", async () => {
    fake.setFaults([
      { service: "cloudtrail", account: MEMBER_A, region: "us-east-1", kind: "slow", delayMs: 3000 },
    ]);
    const { code, report } = await checkJson(
      fake,
      ...ROLE,
      ...["--accounts", `${MANAGEMENT},${MEMBER_A}`, "--regions", "us-east-1"],
      ...["--assume-role", AUDIT_ROLE, "--external-id", EXTERNAL_ID],
      ...["--read-timeout", "1s", "--max-attempts", "1"],
    );
    expect(code).toBe(3);
    expect(report.targets?.map((t) => [where(t), t.verdict])).toEqual([
      [`${MEMBER_A}/us-east-1`, "unknown"],
      [`${MANAGEMENT}/us-east-1`, "pass"],
    ]);
    const slow = report.findings.find((f) => f.account === MEMBER_A && f.status === "unknown");
    expect(slow?.rule).toBe("cloudtrail-errors");
    expect(JSON.stringify(slow?.details)).toMatch(/Timeout/i);
  });

  it("--concurrency 1 runs one target at a time", async () => {
    fake.setFaults([]);
    const { calls } = await checkJson(
      fake,
      ...ROLE,
      "--regions",
      "us-east-1,eu-west-1",
      "--concurrency",
      "1",
    );
    const regions = of(calls, "LookupEvents").map((c) => c.region);
    expect(regions.length).toBeGreaterThan(4);
    // All of one Region's lookups, then all of the other's: never interleaved.
    const switches = regions.filter((r, i) => i > 0 && r !== regions[i - 1]).length;
    expect(switches).toBe(1);
  });
});

describe("usage and permissions", () => {
  it("naming accounts without --assume-role is a usage error before any AWS call", async () => {
    const before = fake.requests.length;
    const { code, stderr } = await runCli(["check", "--accounts", MEMBER_A]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--accounts needs --assume-role/);
    expect(fake.requests.length).toBe(before);
  });

  it("refuses bad account ids and both --regions and --all-regions", async () => {
    expect((await runCli(["check", "--accounts", "12345", "--assume-role", "x"])).code).toBe(2);
    const both = await runCli(["check", "--regions", "us-east-1", "--all-regions"]);
    expect(both.code).toBe(2);
  });

  it("ListAccounts denied: exit 3 naming the permission and where it is needed", async () => {
    fake.setFaults([{ service: "organizations", kind: "access-denied" }]);
    const { code, stderr, stdout } = await runCli(["check", ...ROLE, ...ORG, "--format", "json"]);
    expect(code).toBe(3);
    expect(stdout).toBe("");
    expect(stderr).toContain("organizations:ListAccounts");
    expect(stderr).toMatch(/management account or a delegated-administrator account/);
  });
});

describe("targets", () => {
  it("prints the organisation's account-Regions as JSON, the input of a fan-out", async () => {
    const { code, stdout } = await runCli(["targets", ...ORG]);
    expect(code).toBe(0);
    const targets = JSON.parse(stdout) as { account: string; region: string; roleArn?: string }[];
    expect(targets.map(where)).toEqual([
      `${MANAGEMENT}/us-east-1`,
      `${MANAGEMENT}/eu-west-1`,
      `${MEMBER_A}/us-east-1`,
      `${MEMBER_A}/eu-west-1`,
      `${MEMBER_B}/us-east-1`,
      `${MEMBER_B}/eu-west-1`,
    ]);
    expect(targets[0]?.roleArn).toBeUndefined();
    expect(targets[2]?.roleArn).toBe(`arn:aws:iam::${MEMBER_A}:role/${AUDIT_ROLE}`);
  });

  it("works in the bundle users run (Organizations and EC2 load lazily there too)", async () => {
    const { code, stdout, stderr } = await runBundle(["targets", ...ORG, "--log-level", "error"], fake.env());
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toHaveLength(6);
  });
});
