// Benchmarks, reported as ratios to a baseline measured in the same run on the same machine (never asserted).
//   npm run bench                 (builds first; writes bench/RESULTS.md)
//   BENCH_QUICK=1 npm run bench   (fewer runs and sizes: a smoke of the harness)
//   BENCH_SHAPE='{"trailEvents":50}' BENCH_QUICK=1 node bench/run.mjs   (a faster smoke: a smaller default shape)
// 1. start-up: `--version` and an offline check of the demo against bare `node -e 0` (medians);
// 2. live: the default account shape (bench/shape.ts) against the fake AWS with 20 ms latency and AWS's rate limits:
//    API calls ÷ the minimum for the shape, wall time ÷ the lower bound, throttled calls, peak RSS;
// 3. the same reads as an AWS CLI + jq script (bench/aws-cli.sh), with each AWS CLI installed (v2, v1; each by its
//    absolute path, bench/aws-clis.mjs), alternating runs, at 0 and 30 ms;
//    then the small account's critical path (bench/timeline.mjs: first request, waves, gaps, beside their floors),
//    and the throttling storm against each retry configuration (bench/throttling.mjs);
// 4. scaling: 1k, 10k and 50k tasks, live and offline;
// 5. CPU profiles (node --cpu-prof, the bundle unminified) of a live and an offline check at 10,000 tasks.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { comparePeers } from "./aws-clis.mjs";
import { buildLiveScenario, buildReadableCli } from "./bundles.mjs";

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

/** One run under `node --cpu-prof`: wall time, and self time by function (the profile's samples), heaviest first. */
function profile(args, name) {
  const out = join(dir, `prof-${name}`);
  const started = performance.now();
  spawnSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${out}`, ...args], { stdio: "ignore" });
  const wallMs = performance.now() - started;
  const self = readProfile(out);
  return summary(wallMs, self);
}

function readProfile(out) {
  const file = readdirSync(out).find((f) => f.endsWith(".cpuprofile"));
  const prof = JSON.parse(readFileSync(join(out, file), "utf8"));
  const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map();
  prof.samples.forEach((id, i) => {
    const frame = nodes.get(id).callFrame;
    const where = frame.url ? `${basename(frame.url)}:${frame.lineNumber + 1}` : "";
    const key = `${frame.functionName || "(anonymous)"} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000);
  });
  return self;
}

function summary(wallMs, self) {
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idleMs = self.get("(idle)") ?? 0;
  return { wallMs, busyMs: total - idleMs, idleMs, top: [...self].sort((a, b) => b[1] - a[1]).slice(0, 12) };
}

function sayProfile(title, p) {
  say();
  say(`### ${title}`);
  say();
  say(
    `Wall ${(p.wallMs / 1000).toFixed(2)} s; the main thread busy ${(p.busyMs / 1000).toFixed(2)} s, idle (waiting on the network or the pacer) ${(p.idleMs / 1000).toFixed(2)} s. Heaviest self time:`,
  );
  say();
  say("| function (bundle:line) | self ms |");
  say("|---|---:|");
  for (const [fn, ms] of p.top) say(`| \`${fn.replace(/\|/g, "\\|")}\` | ${ms.toFixed(0)} |`);
}
const readableBin = await buildReadableCli(dir);
const liveBundle = await buildLiveScenario(dir);
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
say(`| CPU time (user + sys) | ${(median(live.results.map((r) => r.cpuMs)) / 1000).toFixed(2)} s | |`);
say(`| exit code | ${live.results.map((r) => r.code).join(", ")} | |`);
say();
say(`Lower bound: start-up (\`--version\`, ${version.medianMs.toFixed(0)} ms) + ${live.lowerBound.why}.`);
say();
say("| API | calls | minimum |");
say("|---|---:|---:|");
for (const api of [...new Set([...Object.keys(live.minimum), ...Object.keys(calls)])].sort())
  say(`| ${api} | ${calls[api] ?? 0} | ${live.minimum[api] ?? 0} |`);

// 3. Against the AWS CLI, on the small account the issue measured (250 tasks on 3 pages, one role).
comparePeers({ scenario, say, runs: QUICK ? 1 : 3 });

// 3b. The small account's critical path (bench/timeline.mjs): start-up, the waves, the gaps, beside their floors.
const timeline = spawnSync(process.execPath, ["bench/timeline.mjs", "--runs", QUICK ? "1" : "5"], {
  encoding: "utf8",
  maxBuffer: 1 << 26,
});
if (timeline.status !== 0) throw new Error(`bench/timeline.mjs failed: ${timeline.stderr}`);
say();
for (const line of timeline.stdout.trimEnd().split("\n"))
  say(
    line
      .replace(/^## /, "### ")
      .replace(/^# Timeline of one live check/, "## Critical path: the small account's timeline"),
  );

// 3b'. The same figures on each Node the package smoke has cached (scripts/package-smoke.sh: Node 22 and 24, the
// image's), beside this one's: the runtime moves start-up more than anything the tool does.
const smokeCache = join(
  process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? "/root", ".cache"),
  "ecs-preflight-smoke",
);
const otherNodes = (() => {
  try {
    return (
      readdirSync(smokeCache)
        .filter((d) => /^node-\d+\.\d+\.\d+$/.test(d))
        // This Node's major is the row above.
        .filter((d) => d.split(/[-.]/)[1] !== process.versions.node.split(".")[0])
        .sort((a, b) => Number(a.split(/[-.]/)[1]) - Number(b.split(/[-.]/)[1]))
        .map((d) => join(smokeCache, d, "bin", "node"))
    );
  } catch {
    return [];
  }
})();
if (!QUICK) {
  say();
  say("### The critical path on each Node (medians of 5 runs a latency)");
  say();
  say(
    `This Node and each one of another major cached by scripts/package-smoke.sh (${otherNodes.length ? otherNodes.map((n) => basename(join(n, "../.."))).join(", ") : "none found"}), one after another. The lower bound is issue 18's (\`node -e 0\` with that Node + the chain); the work's own bound is an offline \`check --snapshot\` of the same account with that Node + the chain. Targets: first request ≤ 100 ms on Node 22 (≤ 130 ms on Node 20); no gap over 20 ms; wall ≤ 1.5× the lower bound.`,
  );
  say();
  say(
    "| Node | latency | first request ms (`node -e 0`) | longest gap ms | gaps over 20 ms | wall ms | lower bound ms | wall ÷ bound | wall ÷ own bound | CPU ms |",
  );
  say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const nodeBin of [process.execPath, ...otherNodes]) {
    const out = spawnSync(
      process.execPath,
      ["bench/timeline.mjs", "--runs", "5", "--json", "--node", nodeBin],
      {
        encoding: "utf8",
        maxBuffer: 1 << 26,
      },
    );
    if (out.status !== 0) throw new Error(`bench/timeline.mjs --node ${nodeBin} failed: ${out.stderr}`);
    for (const line of out.stdout.trim().split("\n")) {
      const m = JSON.parse(line);
      say(
        `| ${m.node} | ${m.latencyMs} | ${m.firstRequestMs.toFixed(0)} (${m.zeroMs.toFixed(0)}) | ${m.longestGapMs.toFixed(0)} | ${m.gapsOver20} | ${m.wallMs.toFixed(0)} | ${m.boundMs.toFixed(0)} | ${m.wallToBound.toFixed(2)} | ${m.wallToOwnBound.toFixed(2)} | ${m.cpuMs.toFixed(0)} |`,
      );
    }
  }
}

// 3c. Issue 15.4's throttling storm (bench/throttling.mjs): each retry configuration against the unthrottled run.
const storm = spawnSync(
  process.execPath,
  ["bench/throttling.mjs", ...(QUICK ? ["--runs", "3", "--quick"] : [])],
  { encoding: "utf8", maxBuffer: 1 << 26 },
);
if (storm.status !== 0) throw new Error(`bench/throttling.mjs failed: ${storm.stderr}`);
say();
for (const line of storm.stdout.trimEnd().split("\n")) say(line);

// 4. Scaling.
say();
say("## Scaling with tasks (20 ms a call, rate limits on)");
say();
say(
  "| tasks | live wall s | lower bound s | wall ÷ bound | bound set by | calls ÷ min | throttled | peak RSS MB | CPU s | offline check s | offline RSS MB |",
);
say("|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|");
const scaling = [];
for (const tasks of QUICK ? [1_000, 10_000] : [1_000, 10_000, 50_000]) {
  const shape = { tasks, stoppedTasks: Math.round(tasks * 0.3) };
  const snap = join(dir, `snap-${tasks}.json`);
  const r = tasks === 10_000 ? live : scenario({ shape, latencyMs: 20, limits: true, runs: 1 });
  // A snapshot of the same account, for the offline (evaluation-only) columns.
  scenario({ shape, latencyMs: 0, limits: false, runs: 0, snapshot: snap });
  const off = timeRun([bin, "check", "--snapshot", snap, "--format", "json", "--log-level", "silent"]);
  const wallMs = median(r.results.map((x) => x.ms));
  const rssMb = Math.max(...r.results.map((x) => x.rssKb)) / 1024;
  scaling.push({ tasks, wallMs, rssMb, offMs: off.medianMs, offRssMb: off.rssKb / 1024 });
  say(
    `| ${tasks} | ${(wallMs / 1000).toFixed(2)} | ${((r.lowerBound.ms + version.medianMs) / 1000).toFixed(2)} | ${(wallMs / (r.lowerBound.ms + version.medianMs)).toFixed(2)} | ${r.lowerBound.why} | ${(sum(r.results[0].byApi) / sum(r.minimum)).toFixed(2)} | ${r.results[0].throttled} | ${rssMb.toFixed(0)} | ${(median(r.results.map((x) => x.cpuMs)) / 1000).toFixed(2)} | ${(off.medianMs / 1000).toFixed(2)} | ${(off.rssKb / 1024).toFixed(0)} |`,
  );
}
const [small, large] = [scaling[0], scaling.at(-1)];
if (small && large && large.tasks > small.tasks) {
  const per1k = (a, b) => ((b - a) / (large.tasks - small.tasks)) * 1000;
  say();
  say(
    `From ${small.tasks} to ${large.tasks} tasks: peak RSS grows ${per1k(small.rssMb, large.rssMb).toFixed(1)} MB per 1,000 tasks live (${per1k(small.offRssMb, large.offRssMb).toFixed(1)} MB offline); the offline check's time ${per1k(small.offMs, large.offMs).toFixed(0)} ms per 1,000 tasks.`,
  );
}
// 5. Where the time goes at 10,000 tasks: CPU profiles of a live run and an offline check (the bundle unminified).
say();
say("## Where the time goes at 10,000 tasks (`node --cpu-prof`, the bundle unminified)");
const liveProfile = join(dir, "prof-live");
const profiled = scenario({
  latencyMs: 20,
  limits: true,
  runs: 1,
  bin: readableBin,
  nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${liveProfile}`],
});
sayProfile(
  "Live check, 20 ms a call, rate limits on",
  summary(profiled.results[0].ms, readProfile(liveProfile)),
);
sayProfile(
  "Offline check of the same account's snapshot (evaluation and reporting only)",
  profile(
    [
      readableBin,
      "check",
      "--snapshot",
      join(dir, "snap-10000.json"),
      "--format",
      "json",
      "--log-level",
      "silent",
    ],
    "offline",
  ),
);
// The hand-written reading of the numbers (what sets each bound, why memory grows as it does) follows the tables.
const notes = readFileSync("bench/NOTES.md", "utf8");
writeFileSync("bench/RESULTS.md", `${lines.join("\n")}\n\n${notes}`);
console.log("\nwrote bench/RESULTS.md");
