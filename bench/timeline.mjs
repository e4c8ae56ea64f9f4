// The timeline of one live check of the small account (bench/small-shape.mjs) against the fake AWS, read from the
// fake's request log (bench/timeline.ts): time to the first request after the process started, each wave of
// requests, the gaps with no request in flight, and the floor next to each figure. The whole run's lower bound is
// `node -e 0` + the dependent chain × (latency + the fake's own service time): issue 18's. Beside it, the work's own
// bound: an offline `check --snapshot` of the same account (start-up, evaluation and the report, with no AWS) + the
// same chain, what a process that loads nothing it does not need and waits only on AWS could take. With --runs N (default 5) the
// figures are medians of N runs, and the table is the run whose wall time is the median. Prints Markdown; asserts
// nothing.
//   npm run bench:timeline                                  (builds dist/ first; 0 and 30 ms a call)
//   node bench/timeline.mjs --latency 30 --runs 9 --node ~/.cache/ecs-preflight-smoke/node-24.22.3/bin/node
//   node bench/timeline.mjs --bin /tmp/before/dist/ecs-preflight.mjs   (another build, for a before/after)
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildLiveScenario } from "./bundles.mjs";
import { SMALL_SHAPE } from "./small-shape.mjs";

const { values } = parseArgs({
  options: {
    latency: { type: "string", default: "0,30" },
    node: { type: "string", default: process.execPath },
    "gap-ms": { type: "string", default: "5" },
    runs: { type: "string", default: "5" },
    // Another build of the CLI (an older commit's dist/, for a before/after), run the same way.
    bin: { type: "string", default: "dist/ecs-preflight.mjs" },
    // Print only one JSON line of the medians per latency (bench/run.mjs's table across Node versions).
    json: { type: "boolean", default: false },
  },
});
const latencies = values.latency.split(",").map(Number);
const node = values.node;
const gapMs = Number(values["gap-ms"]);
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs: expected a whole number ≥ 1, got "${values.runs}"`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => x.toFixed(0);

/** `node -e 0` with the same node, wall ms around the spawn (median of 9): the floor of any Node process. */
function nodeZeroMs() {
  const samples = [];
  for (let i = 0; i < 9; i++) {
    const started = performance.now();
    spawnSync(node, ["-e", "0"], { stdio: "ignore" });
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const live = await buildLiveScenario(mkdtempSync(join(tmpdir(), "bench-timeline-")));
const version = spawnSync(node, ["--version"], { encoding: "utf8" }).stdout.trim();
const zero = nodeZeroMs();
const offline = offlineCheckMs();

/**
 * An offline `check --snapshot` of the same account with the same node and CLI, wall ms around the spawn (median of
 * 9): what the process does besides waiting on AWS, measured without AWS.
 */
function offlineCheckMs() {
  const snapshot = join(mkdtempSync(join(tmpdir(), "bench-timeline-snapshot-")), "small.json");
  const made = spawnSync(
    process.execPath,
    [live, JSON.stringify({ shape: SMALL_SHAPE, latencyMs: 0, limits: false, runs: 0, snapshot })],
    { encoding: "utf8" },
  );
  if (made.status !== 0) throw new Error(`bench snapshot failed: ${made.stderr}`);
  const samples = [];
  for (let i = 0; i < 9; i++) {
    const started = performance.now();
    spawnSync(
      node,
      [values.bin, "check", "--snapshot", snapshot, "--format", "json", "--log-level", "silent"],
      {
        stdio: "ignore",
      },
    );
    samples.push(performance.now() - started);
  }
  return median(samples);
}
if (!values.json) {
  console.log(
    `# Timeline of one live check (${version}, ${new Date().toISOString().slice(0, 10)}${values.bin === "dist/ecs-preflight.mjs" ? "" : `, ${values.bin}`})`,
  );
  console.log();
  console.log(
    `Shape: ${JSON.stringify(SMALL_SHAPE)}, no rate limits. ${runs} ${runs === 1 ? "run" : "runs"} per latency: figures are medians, the table is the run of median wall time; indicative, never asserted. A wave is requests in flight with no pause of ${gapMs} ms or more; a gap is such a pause, with nothing in flight. CPU is the process's user + system time (all its threads), which a loaded machine moves less than wall time.`,
  );
}

for (const latencyMs of latencies) {
  const scenario = {
    shape: SMALL_SHAPE,
    latencyMs,
    limits: false,
    runs,
    node,
    bin: values.bin,
    timeline: true,
    gapMs,
  };
  const out = spawnSync(process.execPath, [live, JSON.stringify(scenario)], {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (out.status !== 0) throw new Error(`bench scenario failed: ${out.stderr}`);
  const result = JSON.parse(out.stdout.trim().split("\n").pop());
  const chain = result.lowerBound.chain;
  const byWall = [...result.results].sort((a, b) => a.timeline.exitMs - b.timeline.exitMs);
  const run = byWall[Math.floor(byWall.length / 2)];
  if (values.json) {
    console.log(JSON.stringify(medians(result.results, latencyMs, chain)));
    continue;
  }
  sayTimeline(run.timeline, run, latencyMs, chain);
  saySummary(result.results, latencyMs, chain);
}

/** The medians over the runs, as numbers. */
function medians(results, latencyMs, chain) {
  const of = (f) => median(results.map(f));
  const bound = (r) => zero + chain * (latencyMs + r.timeline.serviceMs);
  const own = (r) => offline + chain * (latencyMs + r.timeline.serviceMs);
  return {
    node: version,
    latencyMs,
    zeroMs: zero,
    offlineMs: offline,
    firstRequestMs: of((r) => r.timeline.firstRequestMs),
    longestGapMs: of((r) => Math.max(0, ...r.timeline.gaps.map((g) => g.endMs - g.startMs))),
    gapsOver20: of((r) => r.timeline.gaps.filter((g) => g.endMs - g.startMs > 20).length),
    wallMs: of((r) => r.timeline.exitMs),
    boundMs: of(bound),
    wallToBound: of((r) => r.timeline.exitMs / bound(r)),
    wallToOwnBound: of((r) => r.timeline.exitMs / own(r)),
    cpuMs: of((r) => r.cpuMs),
  };
}

/** The medians over the runs: the figures issue 18 sets targets for, each beside its floor. */
function saySummary(results, latencyMs, chain) {
  const of = (f) => median(results.map(f));
  const bound = (r) => zero + chain * (latencyMs + r.timeline.serviceMs);
  const longest = (r) => Math.max(0, ...r.timeline.gaps.map((g) => g.endMs - g.startMs));
  console.log();
  console.log(
    `Medians of ${results.length} ${results.length === 1 ? "run" : "runs"} at ${latencyMs} ms a call:`,
  );
  console.log();
  console.log("| figure | median | min–max | floor |");
  console.log("|---|---:|---:|---:|");
  const line = (name, f, floor) => {
    const xs = results.map(f);
    console.log(`| ${name} | ${ms(median(xs))} | ${ms(Math.min(...xs))}–${ms(Math.max(...xs))} | ${floor} |`);
  };
  line("first request, ms", (r) => r.timeline.firstRequestMs, `${ms(zero)} (\`node -e 0\`)`);
  line("longest gap, ms", longest, "0");
  line("gaps over 20 ms", (r) => r.timeline.gaps.filter((g) => g.endMs - g.startMs > 20).length, "0");
  line("wall, ms", (r) => r.timeline.exitMs, `${ms(of(bound))} (the lower bound)`);
  console.log(
    `| wall ÷ lower bound | ${of((r) => r.timeline.exitMs / bound(r)).toFixed(2)} | ${Math.min(...results.map((r) => r.timeline.exitMs / bound(r))).toFixed(2)}–${Math.max(...results.map((r) => r.timeline.exitMs / bound(r))).toFixed(2)} | 1 |`,
  );
  const own = (r) => offline + chain * (latencyMs + r.timeline.serviceMs);
  console.log(
    `| wall ÷ the work's own bound | ${of((r) => r.timeline.exitMs / own(r)).toFixed(2)} | ${Math.min(...results.map((r) => r.timeline.exitMs / own(r))).toFixed(2)}–${Math.max(...results.map((r) => r.timeline.exitMs / own(r))).toFixed(2)} | 1 (${ms(of(own))} ms: offline check ${ms(offline)} ms + the chain) |`,
  );
  line("CPU, ms", (r) => r.cpuMs, "");
}

function sayTimeline(t, run, latencyMs, chain) {
  const bound = zero + chain * (latencyMs + t.serviceMs);
  console.log();
  console.log(`## ${latencyMs} ms a call`);
  console.log();
  console.log(
    `Wall ${ms(t.exitMs)} ms (exit ${run.code}), ${t.requests} requests, ${ms(run.cpuMs)} ms of CPU. Lower bound ${ms(bound)} ms: \`node -e 0\` ${ms(zero)} ms + ${chain} dependent calls × (${latencyMs} ms + ${ms(t.serviceMs)} ms the fake's service time, median). Wall ÷ bound ${(t.exitMs / bound).toFixed(2)}. The work's own bound ${ms(offline + chain * (latencyMs + t.serviceMs))} ms: an offline \`check --snapshot\` of the same account ${ms(offline)} ms + the same chain; wall ÷ it ${(t.exitMs / (offline + chain * (latencyMs + t.serviceMs))).toFixed(2)}.`,
  );
  console.log();
  console.log("| phase | from ms | to ms | took ms | floor ms | what |");
  console.log("|---|---:|---:|---:|---:|---|");
  const row = (phase, from, to, floor, what) =>
    console.log(`| ${phase} | ${ms(from)} | ${ms(to)} | ${ms(to - from)} | ${ms(floor)} | ${what} |`);
  row("start-up", 0, t.firstRequestMs, zero, "process start → first request (floor: `node -e 0`)");
  // Waves and gaps alternate: wave 1, gap 1, wave 2, …
  t.waves.forEach((w, i) => {
    const apis = Object.entries(w.apis)
      .map(([api, n]) => (n > 1 ? `${api} ×${n}` : api))
      .join(", ");
    const idle = w.idleMs ? `; ${ms(w.idleMs)} ms idle in pauses under ${gapMs} ms` : "";
    row(
      `wave ${i + 1}`,
      w.startMs,
      w.endMs,
      w.floorMs,
      `${w.requests} ${w.requests === 1 ? "request" : "requests"}, ${w.roundTrips} in sequence (floor: their answers' time)${idle}: ${apis}`,
    );
    const gap = t.gaps[i];
    if (gap)
      row(
        "gap",
        gap.startMs,
        gap.endMs,
        0,
        `nothing in flight: after ${gap.after.join(", ")}; before ${gap.before.join(", ")}`,
      );
  });
  row("after the last answer", t.lastAnswerMs, t.exitMs, 0, "evaluation, the report, exit");
  row("total", 0, t.exitMs, bound, "the lower bound above");
  const lengths = t.gaps.map((g) => g.endMs - g.startMs);
  const over20 = lengths.filter((x) => x > 20).length;
  console.log();
  console.log(
    `Gaps: ${lengths.length}, ${ms(lengths.reduce((a, b) => a + b, 0))} ms in all, the longest ${ms(Math.max(0, ...lengths))} ms; ${over20} over 20 ms.`,
  );
}
