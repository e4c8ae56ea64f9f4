/**
 * One benchmark scenario against the local fake AWS (bundled by bench/bundles.mjs so plain node runs it): an
 * account of the given shape, a latency added to every answer, and AWS's rate limits as token buckets. Runs the
 * given commands `runs` times and prints one JSON line: wall time and peak RSS per run, calls by API, and throttled
 * calls; with `timeline`, each run's timeline from the fake's request log (bench/timeline.ts).
 *   node live.mjs '{"shape":{…},"latencyMs":20,"limits":true,"commands":["check",{"awsCli":"/usr/bin/aws"}],"runs":3}'
 */

import { spawn } from "node:child_process";
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { collect } from "../src/collect/index.ts";
import { RequestPacer } from "../src/collect/pacer.ts";
import { writeSnapshot } from "../src/snapshot/index.ts";
import { AWS_LIMITS } from "../test/fake-aws/limits.ts";
import { startFakeAws } from "../test/fake-aws/server.ts";
import { benchAccount, DEFAULT_SHAPE, lowerBoundMs, minimumCalls, type Shape } from "./shape.ts";
import { type Timeline, timelineOf } from "./timeline.ts";

/** The bundle's check, or bench/aws-cli.sh run with the AWS CLI at this absolute path. */
type Command = "check" | { awsCli: string };

interface Scenario {
  shape?: Partial<Shape>;
  latencyMs?: number;
  limits?: boolean;
  /** What to run, in turn, `runs` times over (A B A B): alternating, so a change in the machine's load hits each. */
  commands?: Command[];
  runs?: number;
  /** Extra arguments for ecs-preflight check. */
  args?: string[];
  /** Write a snapshot of the account here first (untimed), for offline runs. */
  snapshot?: string;
  /** The CLI to run (default dist/ecs-preflight.mjs), the node that runs it (default this one), and node flags
   *  before it (the benchmark's --cpu-prof run). */
  bin?: string;
  node?: string;
  nodeArgs?: string[];
  /** Add each run's timeline (bench/timeline.ts), where a pause of `gapMs` (default 5) with nothing in flight
   *  separates two waves. */
  timeline?: boolean;
  gapMs?: number;
}

interface RunResult {
  command: "check" | "aws-cli";
  /** The AWS CLI's path, for aws-cli runs. */
  cli?: string;
  ms: number;
  rssKb: number;
  /** User + system CPU time of the command. */
  cpuMs: number;
  code: number | null;
  /** Tasks the AWS CLI script says it read (its last line), so a peer that stopped early is not a fast peer. */
  tasksRead?: number;
  calls: number;
  throttled: number;
  byApi: Record<string, number>;
  timeline?: Timeline;
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

function argvOf(command: Command): string[] {
  if (command !== "check") return ["bash", "bench/aws-cli.sh"];
  return [
    scenario.node ?? process.execPath,
    ...(scenario.nodeArgs ?? []),
    scenario.bin ?? "dist/ecs-preflight.mjs",
    "check",
    "--format",
    "json",
    ...(scenario.args ?? []),
  ];
}

/** Runs one command under /usr/bin/time for its peak RSS; asynchronous, since the fake answers from this process. */
function run(command: Command) {
  const argv = argvOf(command);
  const childEnv = command === "check" ? env : { ...env, AWS_CLI: command.awsCli };
  return new Promise<RunResult>((resolve) => {
    const from = fake.requests.length;
    // The fake stamps requests with Date.now(): the timeline's zero is on the same clock.
    const spawnedAt = Date.now();
    const started = performance.now();
    let stderr = "";
    let stdout = "";
    const child = spawn("/usr/bin/time", ["-f", "%M %U %S", ...argv], {
      env: childEnv,
      stdio: ["ignore", command === "check" ? "ignore" : "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => {
      const ms = performance.now() - started;
      const exitMs = Date.now() - spawnedAt;
      const requests = fake.requests.slice(from);
      const byApi: Record<string, number> = {};
      for (const r of requests)
        byApi[`${r.service}:${r.action}`] = (byApi[`${r.service}:${r.action}`] ?? 0) + 1;
      const [rssKb, user, system] = (stderr.trim().split("\n").pop() ?? "").split(" ").map(Number);
      const tasksRead = stdout.match(/^tasks: (\d+)$/m)?.[1];
      resolve({
        command: command === "check" ? "check" : "aws-cli",
        ...(command === "check" ? {} : { cli: command.awsCli }),
        ms,
        rssKb: rssKb ?? Number.NaN,
        cpuMs: ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000,
        code,
        ...(tasksRead === undefined ? {} : { tasksRead: Number(tasksRead) }),
        calls: requests.length,
        throttled: requests.filter((r) => r.throttled).length,
        byApi,
        ...(scenario.timeline
          ? {
              timeline: timelineOf(
                requests.map((r) => ({
                  api: `${r.service}:${r.action}`,
                  at: r.at - spawnedAt,
                  // A reset has no answer: it ended, for the timeline, when the process did.
                  endAt: r.endAt === undefined ? exitMs : r.endAt - spawnedAt,
                })),
                exitMs,
                latencyMs,
                scenario.gapMs,
              ),
            }
          : {}),
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
  const organizations = new OrganizationsClient(config);
  const clients = { ...made, ec2: async () => ec2, organizations: async () => organizations, destroy() {} };
  const facts = await collect({
    scope: { clusters: [], services: [], tasks: [], roles: [] },
    aws: { region: config.region },
    clients,
    // Nothing to pace against: the fake has no limits here.
    trailPacer: new RequestPacer({ limit: 1_000_000, windowMs: 1 }),
  });
  await writeSnapshot(scenario.snapshot, facts);
  for (const client of [...Object.values(made), ec2, organizations]) client.destroy();
}
const results: RunResult[] = [];
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
