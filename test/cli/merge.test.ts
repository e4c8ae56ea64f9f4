import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runBundle, runCli } from "../support/cli.ts";
import { AUDIT_ROLE, EXTERNAL_ID, MANAGEMENT, MEMBER_A, MEMBER_B, organisation } from "../support/org.ts";

/** Beyond one machine: each target's run writes its report (a file, or S3), and `merge` makes them one. */

let fake: FakeAws;
let dir: string;
const ROLE = ["--role", "ecsInfrastructureRole"];
const ASSUME = ["--assume-role", AUDIT_ROLE, "--external-id", EXTERNAL_ID];

beforeAll(async () => {
  const { management, world } = organisation();
  fake = await startFakeAws(management, { world, pageSize: { s3: 1 } });
  Object.assign(process.env, fake.env());
  dir = await mkdtemp(join(tmpdir(), "merge-"));
});
afterAll(() => fake.close());

const json = (text: string) => JSON.parse(text) as Report;

describe("merge of local files", () => {
  let files: string[];
  beforeAll(async () => {
    files = [];
    for (const [account, region] of [
      [MANAGEMENT, "us-east-1"],
      [MEMBER_A, "eu-west-1"],
      [MEMBER_B, "us-east-1"],
    ] as const) {
      const output = join(dir, "<account>-<region>.json");
      const run = await runCli([
        "check",
        ...ROLE,
        "--accounts",
        account,
        "--regions",
        region,
        ...ASSUME,
        "--format",
        "json",
        "--output",
        output,
      ]);
      expect(run.stdout).toBe("");
      files.push(join(dir, `${account}-${region}.json`));
    }
  });

  it("combines targets and findings, recomputes summary and verdict, and exits with the worst", async () => {
    const { code, stdout } = await runCli(["merge", ...files, "--format", "json"]);
    const merged = json(stdout);
    expect(merged.targets?.map((t) => [`${t.account}/${t.region}`, t.verdict])).toEqual([
      [`${MEMBER_B}/us-east-1`, "unknown"],
      [`${MANAGEMENT}/us-east-1`, "pass"],
      [`${MEMBER_A}/eu-west-1`, "pass"],
    ]);
    expect(code).toBe(3);
    const parts = await Promise.all(files.map(async (f) => json(await readFile(f, "utf8"))));
    expect(merged.findings).toHaveLength(parts.reduce((n, r) => n + r.findings.length, 0));
    expect(merged.summary.pass).toBe(parts.reduce((n, r) => n + r.summary.pass, 0));
    // Each run's own total, summed: its targets' calls and its fan-out's (ListAccounts, AssumeRole: in no target).
    const targets = parts.flatMap((r) => r.targets ?? []);
    const targetCalls = targets.reduce((n, t) => n + (t.aws?.calls ?? 0), 0);
    expect(merged.aws?.calls).toBe(parts.reduce((n, r) => n + (r.aws?.calls ?? 0), 0));
    expect(merged.aws?.calls).toBeGreaterThan(targetCalls);
  });

  it("renders the merged report in any format, and passes when the targets pass", async () => {
    const passing = files.filter((f) => !f.includes(MEMBER_B));
    const text = await runCli(["merge", ...passing]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/PASS\s+ecs-preflight: 2 account-Regions/);
    const junit = await runCli(["merge", ...passing, "--format", "junit"]);
    expect(junit.stdout).toContain(`<testsuite name="${MEMBER_A}/eu-west-1/role-exists"`);
  });

  it("--expect: a target the fan-out started but whose report is missing is unknown, never left out", async () => {
    const expected = join(dir, "targets.json");
    await writeFile(
      expected,
      JSON.stringify([
        { account: MANAGEMENT, region: "us-east-1" },
        { account: MEMBER_A, region: "eu-west-1" },
        { account: MEMBER_A, region: "us-east-1" },
      ]),
    );
    const passing = files.filter((f) => !f.includes(MEMBER_B));
    const { code, stdout } = await runCli(["merge", ...passing, "--expect", expected, "--format", "json"]);
    expect(code).toBe(3);
    const merged = json(stdout);
    expect(merged.targets?.[0]).toMatchObject({
      account: MEMBER_A,
      region: "us-east-1",
      verdict: "unknown",
      error: { code: "NoReport" },
    });
    expect(merged.targets).toHaveLength(3);
    await writeFile(expected, "[1,2]");
    const bad = await runCli(["merge", ...passing, "--expect", expected]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`--expect ${expected}: expected a JSON array of {account, region}`);
  });

  it("works in the bundle users run (the report schema is bundled)", async () => {
    const { code, stdout, stderr } = await runBundle([
      "merge",
      ...files,
      "--format",
      "json",
      "--log-level",
      "error",
    ]);
    expect(stderr).toBe("");
    expect(code).toBe(3);
    expect(json(stdout).targets).toHaveLength(3);
  });

  it("--emf gives one metric line per target, with Account and Region", async () => {
    const { stderr } = await runCli([
      "merge",
      ...files,
      "--format",
      "json",
      "--emf",
      "--log-level",
      "silent",
    ]);
    const lines = stderr
      .split("\n")
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as { Account: string; Region: string; FindingsUnknown: number });
    expect(lines.map((l) => `${l.Account}/${l.Region}`).sort()).toEqual([
      `${MANAGEMENT}/us-east-1`,
      `${MEMBER_A}/eu-west-1`,
      `${MEMBER_B}/us-east-1`,
    ]);
    expect(lines.find((l) => l.Account === MEMBER_B)?.FindingsUnknown).toBe(1);
  });

  it("a file that is not a report of this schema is exit 2, naming it", async () => {
    const bogus = join(dir, "bogus.json");
    await writeFile(bogus, JSON.stringify({ schemaVersion: 1, verdict: "pass" }));
    const bad = await runCli(["merge", files[0] ?? "", bogus]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${bogus}: not an ecs-preflight JSON report`);
    const notJson = join(dir, "notes.txt");
    await writeFile(notJson, "hello");
    expect((await runCli(["merge", notJson])).stderr).toContain(`${notJson}: not JSON`);
    expect((await runCli(["merge", join(dir, "missing.json")])).code).toBe(2);
  });
});

describe("S3", () => {
  it("--output s3:// writes each target's report; merge reads every page under the prefix", async () => {
    for (const [account, region] of [
      [MANAGEMENT, "eu-west-1"],
      [MEMBER_A, "us-east-1"],
    ] as const) {
      const run = await runCli([
        "check",
        ...ROLE,
        "--accounts",
        account,
        "--regions",
        region,
        ...ASSUME,
        "--format",
        "json",
        "--output",
        "s3://audit-reports/2026-12-01/{account}-{region}.json",
      ]);
      expect(run.code).toBe(0);
    }
    const bucket = fake.world.buckets.get("audit-reports");
    expect([...(bucket?.keys() ?? [])].sort()).toEqual([
      `2026-12-01/${MANAGEMENT}-eu-west-1.json`,
      `2026-12-01/${MEMBER_A}-us-east-1.json`,
    ]);
    const put = fake.requests.filter((r) => r.action === "PutObject");
    // Written with the caller's credentials, not the target's session.
    expect(put.every((r) => r.account === MANAGEMENT)).toBe(true);
    const before = fake.requests.length;
    const { code, stdout } = await runCli(["merge", "s3://audit-reports/2026-12-01/", "--format", "json"]);
    expect(code).toBe(0);
    expect(json(stdout).targets).toHaveLength(2);
    const calls = fake.requests.slice(before);
    expect(calls.filter((r) => r.action === "ListObjectsV2")).toHaveLength(2); // one key a page
    expect(calls.filter((r) => r.action === "GetObject")).toHaveLength(2);
  });

  it("an empty prefix or a missing bucket is exit 2 naming it; a failed PutObject is not a pass", async () => {
    const empty = await runCli(["merge", "s3://audit-reports/nothing-here/"]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("s3://audit-reports/nothing-here/: no .json report");
    const lost = await runCli([
      ...["check", ...ROLE, "--format", "json"],
      "--output",
      "s3://no-such-bucket/r.json",
    ]);
    expect(lost.code).toBe(3);
    expect(lost.stderr).toContain("s3:PutObject");
  });
});
