// The slow-test list: each test file's time from a vitest JSON report, slowest first, with its slowest tests.
//   npx vitest run --reporter=default --reporter=json --outputFile.json=/tmp/vitest.json
//   node scripts/slow-tests.mjs /tmp/vitest.json [--top 15] [--tests 3]
// A file's time runs from its first test's start to its last's end (vitest's own per-file span: hooks included,
// importing the file's modules not); the totals line adds the run's wall time, which includes that importing.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string" }, tests: { type: "string", default: "0" } },
});
const [path] = positionals;
if (!path) {
  console.error("usage: node scripts/slow-tests.mjs REPORT.json [--top N] [--tests N]");
  process.exit(2);
}
const count = (flag, value) => {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (!/^\d+$/.test(value)) {
    console.error(`${flag}: expected a whole number, got "${value}"`);
    process.exit(2);
  }
  return Number(value);
};
const top = count("--top", values.top);
const testsEach = count("--tests", values.tests);

let report;
try {
  report = JSON.parse(readFileSync(path, "utf8"));
} catch (err) {
  console.error(`${path}: expected a vitest JSON report (--reporter=json): ${err.message}`);
  process.exit(2);
}
if (!Array.isArray(report.testResults)) {
  console.error(`${path}: testResults: expected the array of test files a vitest JSON report holds`);
  process.exit(2);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`.padStart(8);
const files = report.testResults
  .map((file) => ({
    name: relative(process.cwd(), file.name),
    ms: file.endTime - file.startTime,
    tests: file.assertionResults,
  }))
  .sort((a, b) => b.ms - a.ms);

for (const file of files.slice(0, top)) {
  console.log(`${seconds(file.ms)}  ${String(file.tests.length).padStart(4)} tests  ${file.name}`);
  const slowest = [...file.tests].sort((a, b) => (b.duration ?? 0) - (a.duration ?? 0)).slice(0, testsEach);
  for (const test of slowest)
    console.log(`${" ".repeat(10)}${seconds(test.duration ?? 0)}  ${test.fullName}`);
}
const inFiles = files.reduce((sum, file) => sum + file.ms, 0);
const ends = report.testResults.map((file) => file.endTime);
const wall = ends.length ? Math.max(...ends) - report.startTime : 0;
console.log(
  `${files.length} files, ${report.numTotalTests} tests: ${seconds(inFiles).trim()} in files, ${seconds(wall).trim()} wall`,
);
