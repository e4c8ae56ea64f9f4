/**
 * The throttling storm of issue 15.4 against the local fake AWS (bundled by bench/bundles.mjs so plain node runs it):
 * the small account, a latency on every answer, and each command run `runs` times, alternating (A B A B), every
 * third request of any API throttled for the commands marked `storm`. Prints one JSON line: per command, each run's
 * wall time, exit code, findings (rule, resource, status) and the report's aws counts. bench/throttling.mjs reads it.
 *   node throttling.mjs '{"latencyMs":20,"runs":20,"commands":[{"name":"calm"},{"name":"storm","storm":true}]}'
 */

import { spawn } from "node:child_process";
import { startFakeAws } from "../test/fake-aws/server.ts";
import { benchAccount, DEFAULT_SHAPE, type Shape } from "./shape.ts";

interface Command {
  name: string;
  /** Every third request throttled (the fake's `every: 3` on every API, no cap per call). */
  storm?: boolean;
  /** The CLI bundle (default dist/ecs-preflight.mjs): a variant build of the retry strategy. */
  bin?: string;
  env?: Record<string, string>;
  args?: string[];
}

interface Scenario {
  shape?: Partial<Shape>;
  latencyMs?: number;
  runs?: number;
  commands: Command[];
}

interface RunResult {
  ms: number;
  code: number | null;
  verdict?: string;
  findings?: string[];
  aws?: { calls: number; retries: number; throttled: number };
  requests: number;
}

const scenario = JSON.parse(process.argv[2] ?? "{}") as Scenario;
const shape: Shape = { ...DEFAULT_SHAPE, ...scenario.shape };
const latencyMs = scenario.latencyMs ?? 20;
const fake = await startFakeAws(benchAccount(shape), { latencyMs });

function run(command: Command): Promise<RunResult> {
  fake.setFaults(command.storm ? [{ kind: "throttle", every: 3 }] : []);
  const from = fake.requests.length;
  const argv = [
    command.bin ?? "dist/ecs-preflight.mjs",
    "check",
    "--format",
    "json",
    "--log-level",
    "silent",
    ...(command.args ?? []),
  ];
  return new Promise((resolve) => {
    const started = performance.now();
    let stdout = "";
    const child = spawn(process.execPath, argv, {
      env: { ...process.env, ...fake.env(), ...command.env },
      stdio: ["ignore", "pipe", "ignore"],
    });
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.on("close", (code) => {
      const ms = performance.now() - started;
      const requests = fake.requests.length - from;
      try {
        const report = JSON.parse(stdout);
        resolve({
          ms,
          code,
          verdict: report.verdict,
          findings: report.findings.map((f: { rule: string; resource: string; status: string }) =>
            [f.rule, f.resource, f.status].join(" "),
          ),
          aws: report.aws,
          requests,
        });
      } catch {
        resolve({ ms, code, requests });
      }
    });
  });
}

const results: Record<string, RunResult[]> = Object.fromEntries(scenario.commands.map((c) => [c.name, []]));
for (let i = 0; i < (scenario.runs ?? 20); i++)
  for (const command of scenario.commands) results[command.name]?.push(await run(command));
console.log(JSON.stringify({ shape, latencyMs, results }));
await fake.close();
