import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** scripts/slow-tests.mjs: the slow-test list the README points to, from vitest's JSON report. */

const dir = mkdtempSync(join(tmpdir(), "slow-tests-"));
const test = (fullName: string, duration: number) => ({ fullName, duration });
const report = {
  numTotalTests: 5,
  startTime: 1_000,
  testResults: [
    {
      name: join(process.cwd(), "test/a.test.ts"),
      startTime: 2_000,
      endTime: 2_500,
      assertionResults: [test("a1", 400)],
    },
    {
      name: join(process.cwd(), "test/b.test.ts"),
      startTime: 1_500,
      endTime: 9_500,
      assertionResults: [test("b fast", 100), test("b slow", 7_000), test("b middle", 600)],
    },
    {
      name: join(process.cwd(), "test/c.test.ts"),
      startTime: 3_000,
      endTime: 4_200,
      assertionResults: [test("c1", 1_000)],
    },
  ],
};
const file = join(dir, "report.json");
writeFileSync(file, JSON.stringify(report));

const slowTests = (...args: string[]) =>
  spawnSync(process.execPath, ["scripts/slow-tests.mjs", ...args], { encoding: "utf8" });

describe("slow-tests.mjs", () => {
  it("lists each file's time, slowest first, then the totals and the run's wall time", () => {
    const run = slowTests(file);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trimEnd().split("\n")).toEqual([
      "   8.0 s     3 tests  test/b.test.ts",
      "   1.2 s     1 tests  test/c.test.ts",
      "   0.5 s     1 tests  test/a.test.ts",
      "3 files, 5 tests: 9.7 s in files, 8.5 s wall",
    ]);
  });

  it("with --top and --tests, the slowest files only, each with its slowest tests", () => {
    const run = slowTests(file, "--top", "1", "--tests", "2");
    expect(run.stdout.trimEnd().split("\n").slice(0, 3)).toEqual([
      "   8.0 s     3 tests  test/b.test.ts",
      "             7.0 s  b slow",
      "             0.6 s  b middle",
    ]);
  });

  it("refuses what is not a vitest JSON report with exit 2 and one line naming the file", () => {
    const other = join(dir, "other.json");
    writeFileSync(other, "{}");
    const run = slowTests(other);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      `${other}: testResults: expected the array of test files a vitest JSON report holds`,
    );
    expect(slowTests(file, "--top", "ten").stderr.trim()).toBe('--top: expected a whole number, got "ten"');
  });
});
