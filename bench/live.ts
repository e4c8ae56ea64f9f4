/**
 * One benchmark scenario against the local fake AWS (bundled by bench/run.mjs so plain node runs it): an account of
 * the given shape, a latency added to every answer, and AWS's rate limits as token buckets. Runs the given command
 * `runs` times and prints one JSON line: wall time and peak RSS per run, calls by API, and throttled calls.
 *   node live.mjs '{"shape":{…},"latencyMs":20,"limits":true,"command":"check","runs":3}'
 */
import { spawn } from "node:child_process";
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
}

const scenario = JSON.parse(process.argv[2] ?? "{}") as Scenario;
const shape: Shape = { ...DEFAULT_SHAPE, ...scenario.shape };
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
      ? [process.execPath, "dist/ecs-preflight.mjs", "check", "--format", "json", ...(scenario.args ?? [])]
      : ["bash", "bench/aws-cli.sh"];
  return new Promise<{
    command: string;
    ms: number;
    rssKb: number;
    code: number | null;
    calls: number;
    throttled: number;
    byApi: Record<string, number>;
  }>((resolve) => {
    const from = fake.requests.length;
    const started = performance.now();
    let stderr = "";
    const child = spawn("/usr/bin/time", ["-f", "%M", ...argv], { env, stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => {
      const ms = performance.now() - started;
      const requests = fake.requests.slice(from);
      const byApi: Record<string, number> = {};
      for (const r of requests)
        byApi[`${r.service}:${r.action}`] = (byApi[`${r.service}:${r.action}`] ?? 0) + 1;
      resolve({
        command,
        ms,
        rssKb: Number(stderr.trim().split("\n").pop()),
        code,
        calls: requests.length,
        throttled: requests.filter((r) => r.throttled).length,
        byApi,
      });
    });
  });
}

if (scenario.snapshot) {
  await new Promise((resolve) =>
    spawn(process.execPath, ["dist/ecs-preflight.mjs", "snapshot", "--out", scenario.snapshot as string], {
      env,
      stdio: "ignore",
    }).on("close", resolve),
  );
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
