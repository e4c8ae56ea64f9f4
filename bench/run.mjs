// Benchmarks, reported as ratios to a baseline measured in the same run on the same machine (never asserted).
//   npm run bench                 (builds first; writes bench/RESULTS.md)
//   BENCH_QUICK=1 npm run bench   (fewer runs and sizes: a smoke of the harness)
// 1. start-up: `--version` and an offline check of the demo against bare `node -e 0` (medians);
// 2. live: the default account shape (bench/shape.ts) against the fake AWS with 20 ms latency and AWS's rate limits:
//    API calls ÷ the minimum for the shape, wall time ÷ the lower bound, throttled calls, peak RSS;
// 3. the same reads as an AWS CLI + jq script (bench/aws-cli.sh), alternating runs, at 0 and 30 ms;
// 4. scaling: 1k, 10k and 50k tasks, live and offline.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const QUICK = process.env.BENCH_QUICK === "1";
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 9));
const LIVE_RUNS = QUICK ? 1 : 3;
const bin = "dist/ecs-preflight.mjs";
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timeRun(args) {
  const samples = [];
  let rssKb = 0;
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "ignore", "pipe"],
    });
    const [secs, kb] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
    samples.push(secs * 1000);
    rssKb = Math.max(rssKb, kb);
  }
  return { medianMs: median(samples), rssKb };
}

const dir = mkdtempSync(join(tmpdir(), "bench-"));
const { build } = await import("esbuild");
const liveBundle = join(dir, "live.mjs");
await build({
  entryPoints: ["bench/live.ts"],
  outfile: liveBundle,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
  banner: {
    js: `import { createRequire } from "node:module"; const require = createRequire(import.meta.url);`,
  },
  // The fake reads its policy files next to its own source: keep import.meta.url pointing there.
  define: { "import.meta.url": JSON.stringify(pathToFileURL("test/fake-aws/builders.ts").href) },
});
function scenario(s) {
  const out = spawnSync(process.execPath, [liveBundle, JSON.stringify(s)], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (out.status !== 0) throw new Error(`bench scenario failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split("\n").pop());
}
const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
const lines = [];
const say = (s = "") => {
  lines.push(s);
  console.log(s);
};

say("# ecs-preflight benchmark results");
say();
say(
  `Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, \`npm run bench\`${QUICK ? " (BENCH_QUICK)" : ""}. Ratios, never asserted in tests.`,
);

// 1. Start-up.
const baseline = timeRun(["-e", "0"]);
const version = timeRun([bin, "--version"]);
const offline = timeRun([bin, "check", "--snapshot", "fixtures/demo/account.json", "--log-level", "silent"]);
say();
say(`## Cold start (median of ${RUNS} runs)`);
say();
say("| run | median ms | ÷ `node -e 0` | target |");
say("|---|---:|---:|---:|");
say(`| \`node -e 0\` | ${baseline.medianMs.toFixed(0)} | 1.00 | |`);
say(
  `| \`--version\` | ${version.medianMs.toFixed(0)} | ${(version.medianMs / baseline.medianMs).toFixed(2)} | ≤ 1.5 |`,
);
say(
  `| \`check --snapshot\` demo | ${offline.medianMs.toFixed(0)} | ${(offline.medianMs / baseline.medianMs).toFixed(2)} | ≤ 2.5 |`,
);

// 2. The default shape, live.
const live = scenario({ latencyMs: 20, limits: true, runs: LIVE_RUNS });
const walls = live.results.map((r) => r.ms);
const wall = median(walls);
const calls = live.results[0].byApi;
say();
say(`## The default account, live (${LIVE_RUNS} runs, median)`);
say();
say(
  `Shape: ${JSON.stringify(live.shape)}; 20 ms a call; AWS's rate limits as token buckets (test/fake-aws/limits.ts).`,
);
say();
say("| measure | value | target |");
say("|---|---:|---:|");
say(
  `| API calls ÷ minimum | ${sum(calls)} ÷ ${sum(live.minimum)} = ${(sum(calls) / sum(live.minimum)).toFixed(2)} | 1.00 |`,
);
say(
  `| wall ÷ lower bound | ${(wall / 1000).toFixed(2)} s ÷ ${(live.lowerBound.ms / 1000 + version.medianMs / 1000).toFixed(2)} s = ${(wall / (live.lowerBound.ms + version.medianMs)).toFixed(2)} | ≤ 1.3 |`,
);
say(`| throttled calls | ${live.results.map((r) => r.throttled).join(", ")} | 0 |`);
say(`| peak RSS | ${(Math.max(...live.results.map((r) => r.rssKb)) / 1024).toFixed(0)} MB | ≤ 150 MB |`);
say(`| exit code | ${live.results.map((r) => r.code).join(", ")} | |`);
say();
say(`Lower bound: start-up (\`--version\`, ${version.medianMs.toFixed(0)} ms) + ${live.lowerBound.why}.`);
say();
say("| API | calls | minimum |");
say("|---|---:|---:|");
for (const api of [...new Set([...Object.keys(live.minimum), ...Object.keys(calls)])].sort())
  say(`| ${api} | ${calls[api] ?? 0} | ${live.minimum[api] ?? 0} |`);

// 3. Against the AWS CLI, on the small account the issue measured (250 tasks on 3 pages, one role).
const cliShape = { clusters: 1, services: 1, tasks: 250, stoppedTasks: 0, roles: 1, trailEvents: 20 };
say();
say("## Against an AWS CLI + jq script doing the same reads (alternating runs)");
say();
say(
  `Shape: ${JSON.stringify(cliShape)}. \`bench/aws-cli.sh\`, ${spawnSync("aws", ["--version"], { encoding: "utf8" }).stdout.trim() || spawnSync("aws", ["--version"], { encoding: "utf8" }).stderr.trim()}.`,
);
say();
say("| latency | ecs-preflight | AWS CLI | ratio | target |");
say("|---:|---:|---:|---:|---:|");
for (const latencyMs of [0, 30]) {
  const r = scenario({
    shape: cliShape,
    latencyMs,
    limits: false,
    commands: ["check", "aws-cli"],
    runs: QUICK ? 1 : 3,
  });
  const ours = median(r.results.filter((x) => x.command === "check").map((x) => x.ms));
  const theirs = median(r.results.filter((x) => x.command === "aws-cli").map((x) => x.ms));
  say(
    `| ${latencyMs} ms | ${(ours / 1000).toFixed(2)} s | ${(theirs / 1000).toFixed(2)} s | ${(theirs / ours).toFixed(1)}× | ≥ 10× |`,
  );
}

// 4. Scaling.
say();
say("## Scaling with tasks (20 ms a call, rate limits on)");
say();
say(
  "| tasks | live wall s | lower bound s | wall ÷ bound | calls ÷ min | throttled | peak RSS MB | offline check s | offline RSS MB |",
);
say("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const tasks of QUICK ? [1_000, 10_000] : [1_000, 10_000, 50_000]) {
  const shape = { tasks, stoppedTasks: Math.round(tasks * 0.3) };
  const snap = join(dir, `snap-${tasks}.json`);
  const r = tasks === 10_000 ? live : scenario({ shape, latencyMs: 20, limits: true, runs: 1 });
  // A snapshot of the same account, for the offline (evaluation-only) columns.
  scenario({ shape, latencyMs: 0, limits: false, runs: 0, snapshot: snap });
  const off = timeRun([bin, "check", "--snapshot", snap, "--format", "json", "--log-level", "silent"]);
  const wallMs = median(r.results.map((x) => x.ms));
  say(
    `| ${tasks} | ${(wallMs / 1000).toFixed(2)} | ${((r.lowerBound.ms + version.medianMs) / 1000).toFixed(2)} | ${(wallMs / (r.lowerBound.ms + version.medianMs)).toFixed(2)} | ${(sum(r.results[0].byApi) / sum(r.minimum)).toFixed(2)} | ${r.results[0].throttled} | ${(Math.max(...r.results.map((x) => x.rssKb)) / 1024).toFixed(0)} | ${(off.medianMs / 1000).toFixed(2)} | ${(off.rssKb / 1024).toFixed(0)} |`,
  );
}
writeFileSync("bench/RESULTS.md", `${lines.join("\n")}\n`);
console.log("\nwrote bench/RESULTS.md");
