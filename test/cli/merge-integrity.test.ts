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
});
