// Benchmarks, reported as ratios to a baseline measured in the same run on the same machine (never asserted).
//   npm run bench            (builds first)
// 1. start-up: `ecs-preflight --version`, `rules`, and a snapshot check, against bare `node -e 0`;
// 2. evaluation: check --snapshot on a synthetic account of N roles (and tasks, when ECS facts exist),
//    against parsing the same snapshot with JSON.parse (the floor for any snapshot evaluation);
// 3. memory: peak RSS of that check against bare node.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const bin = "dist/ecs-preflight.mjs";

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
  samples.sort((a, b) => a - b);
  return { medianMs: samples[Math.floor(samples.length / 2)], rssKb };
}

function syntheticAccount(roleCount) {
  const demo = JSON.parse(readFileSync("fixtures/demo/account.json", "utf8"));
  const [healthy] = demo.roles;
  const roles = [];
  for (let i = 0; i < roleCount; i++) {
    const name = `bench-role-${i}`;
    const arn = healthy.role.value.arn.replace(/role\/.*$/, `role/${name}`);
    roles.push({
      ...structuredClone(healthy),
      ref: name,
      name,
      role: { ok: true, value: { ...structuredClone(healthy.role.value), name, arn } },
    });
  }
  return { ...demo, scope: { ...demo.scope, roles: roles.map((r) => r.ref) }, roles };
}

const dir = mkdtempSync(join(tmpdir(), "bench-"));
const rows = [];
const baseline = timeRun(["-e", "0"]);
rows.push(["node -e 0 (baseline)", baseline.medianMs, 1, baseline.rssKb]);
for (const [label, args] of [
  ["--version", [bin, "--version"]],
  ["rules", [bin, "rules"]],
  [
    "check --snapshot demo",
    [bin, "check", "--snapshot", "fixtures/demo/account.json", "--log-level", "silent"],
  ],
]) {
  const t = timeRun(args);
  rows.push([label, t.medianMs, t.medianMs / baseline.medianMs, t.rssKb]);
}

for (const n of [100, 1000]) {
  const file = join(dir, `roles-${n}.json`);
  writeFileSync(file, JSON.stringify(syntheticAccount(n)));
  const parse = timeRun(["-e", `JSON.parse(require("fs").readFileSync(${JSON.stringify(file)}, "utf8"))`]);
  const check = timeRun([bin, "check", "--snapshot", file, "--format", "json", "--log-level", "silent"]);
  rows.push([
    `JSON.parse ${n} roles (floor)`,
    parse.medianMs,
    parse.medianMs / baseline.medianMs,
    parse.rssKb,
  ]);
  rows.push([`check --snapshot ${n} roles`, check.medianMs, check.medianMs / parse.medianMs, check.rssKb]);
}

// Live collection against the fake AWS, bundled here so plain node can run it.
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
const liveRows = [];
for (const [clusters, tasks, roles] of [
  [1, 100, 5],
  [2, 1250, 10],
]) {
  const out = spawnSync(process.execPath, [liveBundle, String(clusters), String(tasks), String(roles)], {
    encoding: "utf8",
  });
  const r = JSON.parse(out.stdout.trim().split("\n").pop());
  liveRows.push(r);
}

console.log(`ecs-preflight benchmarks: median of ${RUNS} runs, Node ${process.version}\n`);
console.log("| run | median ms | ratio | peak RSS MB |");
console.log("|---|---:|---:|---:|");
for (const [label, ms, ratio, kb] of rows) {
  console.log(`| ${label} | ${ms.toFixed(0)} | ${ratio.toFixed(2)}× | ${(kb / 1024).toFixed(0)} |`);
}
console.log("\nratio: start-up rows against `node -e 0`; `check N roles` against `JSON.parse N roles`.");

console.log(
  "\n| live check against the local fake AWS | live ms | snapshot replay ms | live / replay | requests | DescribeTasks calls | tasks / DescribeTasks |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const r of liveRows) {
  const tasks = r.clusters * r.tasksPerCluster;
  const describe = r.byAction["ecs:DescribeTasks"] ?? 0;
  console.log(
    `| ${r.clusters} cluster(s) × ${r.tasksPerCluster} tasks, ${r.roles} roles | ${r.liveMs.toFixed(0)} | ${r.offlineMs.toFixed(0)} | ${(r.liveMs / r.offlineMs).toFixed(2)}× | ${r.requests} | ${describe} | ${(tasks / describe).toFixed(0)} |`,
  );
}
console.log(
  "\nlive / replay: what reading AWS adds over evaluating the same facts (the fake answers in well under a millisecond, so this is the tool's own collection overhead, not AWS latency).",
);
