// Issue 15.4's throttling storm (bench/throttling.ts): every third request of any API throttled, on the small account
// (bench/small-shape.mjs) against the fake AWS, at 0 ms and 20 ms a call. Each retry configuration is run N times
// (default 20), alternating with the unthrottled run of the shipped build, and reported as: runs that gave the
// unthrottled verdict and findings, median wall time ÷ the unthrottled median, the slowest run, and the report's
// retry counts. Variants of the strategy are builds of the CLI with src/collect/retry.ts edited (bench/bundles.mjs).
// Prints Markdown; asserts nothing.
//   npm run bench:throttling              (builds dist/ first)
//   node bench/throttling.mjs --runs 5 --latency 0
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildRetryVariant, buildThrottlingScenario } from "./bundles.mjs";
import { SMALL_SHAPE } from "./small-shape.mjs";

const { values } = parseArgs({
  options: {
    latency: { type: "string", default: "0,20" },
    runs: { type: "string", default: "20" },
    // Leave out the slow configurations (the SDK's own back-off, adaptive mode): a quicker smoke.
    quick: { type: "boolean", default: false },
  },
});
const runs = Number(values.runs);
const latencies = values.latency.split(",").map(Number);
const TIMEOUT_S = 60;
const dir = mkdtempSync(join(tmpdir(), "bench-throttling-"));
const scenarioBin = await buildThrottlingScenario(dir);
const base100 = await buildRetryVariant(dir, "base-100", (t) =>
  t.replace("export const RETRY_BASE_MS = 25;", "export const RETRY_BASE_MS = 100;"),
);
// The SDK's own back-off: full jitter on 1 s for throttling errors (50 ms for others), and no deadline check.
const sdkBackoff = await buildRetryVariant(dir, "sdk-backoff", (t) =>
  t.replace(
    "const settings = { maxAttempts, backoff: backoff(options) };",
    "const settings = { maxAttempts };",
  ),
);
const noTrail = join(dir, "no-cloudtrail.json");
writeFileSync(noTrail, JSON.stringify({ rules: { "cloudtrail-errors": "off" } }));
const common = ["--timeout", `${TIMEOUT_S}s`];
const trailOff = [...common, "--config", noTrail];

/** Each configuration beside the unthrottled run it is judged against (`calm`, or `calm-no-trail`). */
const commands = [
  { name: "calm", label: "unthrottled (shipped)", args: common },
  { name: "default", label: "9 × 25 ms full jitter, standard (shipped)", storm: true, args: common },
  {
    name: "three",
    label: "3 × 25 ms (AWS_MAX_ATTEMPTS=3)",
    storm: true,
    args: common,
    env: { AWS_MAX_ATTEMPTS: "3" },
  },
  { name: "base100", label: "9 × 100 ms full jitter", storm: true, args: common, bin: base100 },
  ...(values.quick
    ? []
    : [
        {
          name: "sdk3",
          label: "3 × the SDK's back-off (the SDK's defaults; before)",
          storm: true,
          args: common,
          bin: sdkBackoff,
          env: { AWS_MAX_ATTEMPTS: "3" },
        },
        {
          name: "sdk9",
          label: "9 × the SDK's back-off (1 s base)",
          storm: true,
          args: common,
          bin: sdkBackoff,
        },
        {
          name: "adaptive",
          label: "adaptive, 9 × 25 ms (AWS_RETRY_MODE=adaptive)",
          storm: true,
          args: common,
          env: { AWS_RETRY_MODE: "adaptive" },
        },
      ]),
  { name: "calm-no-trail", label: "unthrottled, cloudtrail-errors off", args: trailOff },
  {
    name: "default-no-trail",
    label: "9 × 25 ms, cloudtrail-errors off",
    storm: true,
    args: trailOff,
    against: "calm-no-trail",
  },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const signature = (r) =>
  r.findings ? `${r.verdict}|${[...r.findings].sort().join(";")}` : `no report (exit ${r.code})`;

console.log(`## Throttling (issue 15.4)`);
console.log();
console.log(
  `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, \`npm run bench:throttling\`. Shape: ${JSON.stringify(SMALL_SHAPE)}, the fake AWS without rate limits; the storm throttles every third request of any API (the fake's \`every: 3\`, no cap per call). ${runs} runs of each row, alternating with the unthrottled run; \`--timeout ${TIMEOUT_S}s\`. Same verdict: the run's verdict and every finding's status equal the unthrottled run's. Wall ratio: the row's median ÷ the unthrottled median (same latency, same CloudTrail setting). Variants of the strategy are builds with src/collect/retry.ts edited (bench/bundles.mjs). Indicative, never asserted; the machine was shared.`,
);
for (const latencyMs of latencies) {
  const scenario = { shape: SMALL_SHAPE, latencyMs, runs, commands };
  const out = spawnSync(process.execPath, [scenarioBin, JSON.stringify(scenario)], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  if (out.status !== 0) throw new Error(`bench/throttling.ts failed: ${out.stderr}`);
  const { results } = JSON.parse(out.stdout.trim().split("\n").pop());
  console.log();
  console.log(`### ${latencyMs} ms a call`);
  console.log();
  console.log(
    "| retries | same verdict | exit codes | median wall s | ÷ unthrottled | slowest s | retries / run (median) | throttled / run |",
  );
  console.log("|---|---:|---|---:|---:|---:|---:|---:|");
  for (const c of commands) {
    const rs = results[c.name];
    const calm = results[c.against ?? (c.name.endsWith("no-trail") ? "calm-no-trail" : "calm")];
    const expected = signature(calm[0]);
    const same = rs.filter((r) => signature(r) === expected).length;
    const byCode = new Map();
    for (const r of rs) byCode.set(r.code, (byCode.get(r.code) ?? 0) + 1);
    const codes = [...byCode].map(([code, n]) => `${n}× ${code}`).join(", ");
    const wall = median(rs.map((r) => r.ms));
    const ratio = wall / median(calm.map((r) => r.ms));
    const slowest = Math.max(...rs.map((r) => r.ms));
    const retries = median(rs.map((r) => r.aws?.retries ?? 0));
    const throttled = median(rs.map((r) => r.aws?.throttled ?? 0));
    console.log(
      `| ${c.label} | ${same}/${rs.length} | ${codes} | ${(wall / 1000).toFixed(2)} | ${ratio.toFixed(2)} | ${(slowest / 1000).toFixed(2)} | ${retries} | ${throttled} |`,
    );
  }
}
