import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/report/types.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";
import { AUDIT_ROLE, EXTERNAL_ID, MANAGEMENT, MEMBER_A, organisation } from "../support/org.ts";

/** merge trusts no file: a partial, edited or duplicated report can never make the merged run pass. */

let fake: FakeAws;
let dir: string;
let passing: Report;

beforeAll(async () => {
  const { management, world } = organisation();
  fake = await startFakeAws(management, { world });
  Object.assign(process.env, fake.env());
  dir = await mkdtemp(join(tmpdir(), "merge-integrity-"));
  const output = join(dir, "pass.json");
  const run = await runCli([
    ...["check", "--role", "ecsInfrastructureRole", "--accounts", MEMBER_A, "--regions", "eu-west-1"],
    ...["--assume-role", AUDIT_ROLE, "--external-id", EXTERNAL_ID, "--format", "json", "--output", output],
  ]);
  expect(run.code).toBe(0);
  passing = JSON.parse(await readFile(output, "utf8")) as Report;
});
afterAll(() => fake.close());

async function file(name: string, report: Report): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(report));
  return path;
}

/** The passing report with its first finding failed, every count and verdict made to agree: a genuine fail. */
function failing(): Report {
  const report = structuredClone(passing);
  const finding = report.findings[0];
  if (!finding) throw new Error("the passing report has no finding");
  finding.status = "fail";
  const summary = { ...report.summary, pass: report.summary.pass - 1, fail: report.summary.fail + 1 };
  const target = report.targets?.[0];
  if (!target) throw new Error("the passing report has no target");
  Object.assign(target, { verdict: "fail", exitCode: 1, summary });
  return Object.assign(report, { verdict: "fail", exitCode: 1, summary });
}

describe("merge of reports it cannot trust", () => {
  it("the same target twice: the worse report counts, whatever the order", async () => {
    const pass = await file("dup-pass.json", passing);
    const fail = await file("dup-fail.json", failing());
    for (const order of [
      [fail, pass],
      [pass, fail],
    ]) {
      const { code, stdout } = await runCli(["merge", ...order, "--format", "json"]);
      expect(code).toBe(1);
      expect((JSON.parse(stdout) as Report).targets?.map((t) => t.verdict)).toEqual(["fail"]);
    }
  });

  it("a failing finding that names no target of its report is exit 2, not dropped", async () => {
    const report = failing();
    const finding = report.findings[0];
    if (finding) finding.account = MANAGEMENT;
    const path = await file("orphan.json", report);
    const { code, stderr } = await runCli(["merge", path]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${path}: findings[0] names ${MANAGEMENT}/eu-west-1, which is none of its targets`,
    );
  });

  it("a report whose findings were cut (its summary says fail) is exit 2, not a pass", async () => {
    const report = failing();
    report.findings = report.findings.filter((f) => f.status !== "fail");
    const path = await file("cut.json", report);
    const { code, stderr } = await runCli(["merge", path]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path}: its summary disagrees with its findings`);
  });

  it("a single-target report cut the same way is exit 2 too", async () => {
    const report = failing();
    const single: Report = { ...report, findings: report.findings.filter((f) => f.status !== "fail") };
    delete single.targets;
    const path = await file("cut-single.json", single);
    const { code, stderr } = await runCli(["merge", path]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path}: its summary disagrees with its findings`);
  });

  it("a report whose verdict says pass over a failing finding is recomputed: exit 1", async () => {
    const report = failing();
    Object.assign(report, { verdict: "pass", exitCode: 0 });
    const path = await file("lying.json", report);
    const { code } = await runCli(["merge", path]);
    expect(code).not.toBe(0);
  });

  it("a report over no target at all is exit 2, not a pass over nothing", async () => {
    const empty: Report = {
      ...passing,
      verdict: "pass",
      exitCode: 0,
      summary: { pass: 0, warn: 0, fail: 0, unknown: 0, suppressed: 0 },
      findings: [],
      targets: [],
    };
    const path = await file("empty.json", empty);
    const { code, stderr } = await runCli(["merge", path]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path}: lists no target`);
  });

  it("accepts what runs write: a merged report, redacted or not, merges again to the same verdict", async () => {
    const pass = await file("again-pass.json", passing);
    const fail = await file("again-fail.json", failing());
    for (const extra of [[], ["--redact"]]) {
      const merged = await runCli(["merge", pass, fail, "--format", "json", ...extra]);
      expect(merged.code).toBe(1);
      const path = join(dir, `merged${extra.length}.json`);
      await writeFile(path, merged.stdout);
      const again = await runCli(["merge", path, "--format", "json"]);
      expect(again.code, again.stderr).toBe(1);
      expect((JSON.parse(again.stdout) as Report).summary).toEqual(
        (JSON.parse(merged.stdout) as Report).summary,
      );
    }
  });

  it("a report whose startedAt is no time is exit 2 naming the field, not an internal error", async () => {
    const path = await file("no-time.json", { ...passing, startedAt: "yesterday" });
    const { code, stderr } = await runCli(["merge", path]);
    expect(code).toBe(2);
    expect(stderr).toContain(`${path}: startedAt: expected an ISO 8601 time, got "yesterday"`);
  });
});
