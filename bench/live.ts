/**
 * One benchmark scenario against the local fake AWS (bundled by bench/run.mjs so plain node runs it): an account of
 * the given shape, a latency added to every answer, and AWS's rate limits as token buckets. Runs the given command
 * `runs` times and prints one JSON line: wall time and peak RSS per run, calls by API, and throttled calls.
 *   node live.mjs '{"shape":{…},"latencyMs":20,"limits":true,"command":"check","runs":3}'
 */
import { spawn } from "node:child_process";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { collect } from "../src/collect/index.ts";
import { RequestPacer } from "../src/collect/pacer.ts";
import { writeSnapshot } from "../src/snapshot/index.ts";
import { AWS_LIMITS } from "../test/fake-aws/limits.ts";
import { startFakeAws } from "../test/fake-aws/server.ts";
import { benchAccount, DEFAULT_SHAPE, lowerBoundMs, minimumCalls, type Shape } from "./shape.ts";

interface Scenario {
  shape?: Partial<Shape>;
  latencyMs?: number;
  limits?: boolean;
  /** "check" (the bundle), "aws-cli" (bench/aws-cli.sh), or both, alternating run by run. */
  commands?: ("check" | "aws-cli")[];
  runs?: number;
  /** Extra arguments for ecs-preflight check. */
  args?: string[];
  /** Write a snapshot of the account here first (untimed), for offline runs. */
  snapshot?: string;
  /** The CLI to run (default dist/ecs-preflight.mjs) and node flags before it (the benchmark's --cpu-prof run). */
  bin?: string;
  nodeArgs?: string[];
}

const scenario = JSON.parse(process.argv[2] ?? "{}") as Scenario;
// BENCH_SHAPE (JSON) overrides the default shape for a smoke of the harness, e.g. '{"trailEvents":50}'.
const shape: Shape = { ...DEFAULT_SHAPE, ...JSON.parse(process.env.BENCH_SHAPE ?? "{}"), ...scenario.shape };
const latencyMs = scenario.latencyMs ?? 20;
const fake = await startFakeAws(benchAccount(shape), {
  latencyMs,
  ...(scenario.limits === false ? {} : { limits: AWS_LIMITS }),
});
const env = { ...process.env, ...fake.env(), ECS_PREFLIGHT_LOG_LEVEL: "silent" };

/** Runs one command under /usr/bin/time for its peak RSS; asynchronous, since the fake answers from this process. */
function run(command: "check" | "aws-cli") {
  const argv =
    command === "check"
      ? [
          process.execPath,
          ...(scenario.nodeArgs ?? []),
          scenario.bin ?? "dist/ecs-preflight.mjs",
          "check",
          "--format",
          "json",
          ...(scenario.args ?? []),
        ]
      : ["bash", "bench/aws-cli.sh"];
  return new Promise<{
    command: string;
    ms: number;
    rssKb: number;
    /** User + system CPU time of the command. */
    cpuMs: number;
    code: number | null;
    calls: number;
    throttled: number;
    byApi: Record<string, number>;
  }>((resolve) => {
    const from = fake.requests.length;
    const started = performance.now();
    let stderr = "";
    const child = spawn("/usr/bin/time", ["-f", "%M %U %S", ...argv], {
      env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => {
      const ms = performance.now() - started;
      const requests = fake.requests.slice(from);
      const byApi: Record<string, number> = {};
      for (const r of requests)
        byApi[`${r.service}:${r.action}`] = (byApi[`${r.service}:${r.action}`] ?? 0) + 1;
      const [rssKb, user, system] = (stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
      resolve({
        command,
        ms,
        rssKb: rssKb ?? Number.NaN,
        cpuMs: ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000,
        code,
        calls: requests.length,
        throttled: requests.filter((r) => r.throttled).length,
        byApi,
      });
    });
  });
}

if (scenario.snapshot) {
  // The same collector the CLI runs, in process and unpaced (the fake has no limits here): the offline columns
  // need the facts, not another 50 s of CloudTrail pacing.
  const config = { ...fake.clientConfig(), maxAttempts: 3 };
  const made = {
    iam: new IAMClient(config),
    sts: new STSClient(config),
    ecs: new ECSClient(config),
    cloudtrail: new CloudTrailClient(config),
  };
  const ec2 = new EC2Client(config);
  const clients = { ...made, ec2: async () => ec2, destroy() {} };
  const facts = await collect({
    scope: { clusters: [], services: [], tasks: [], roles: [] },
    aws: { region: config.region },
    clients,
    // Nothing to pace against: the fake has no limits here.
    trailPacer: new RequestPacer({ limit: 1_000_000, windowMs: 1 }),
  });
  await writeSnapshot(scenario.snapshot, facts);
  for (const client of [...Object.values(made), ec2]) client.destroy();
}
const results = [];
const commands = scenario.commands ?? ["check"];
for (let i = 0; i < (scenario.runs ?? 1); i++) {
  for (const command of commands) {
    results.push(await run(command));
    // Let the rate-limit buckets fill again: each run starts as a fresh scheduled run would.
    if (scenario.limits !== false) await new Promise((r) => setTimeout(r, 5_000));
  }
}
console.log(
  JSON.stringify({
    shape,
    latencyMs,
    minimum: minimumCalls(shape),
    lowerBound: lowerBoundMs(shape, latencyMs),
    results,
  }),
);
await fake.close();
