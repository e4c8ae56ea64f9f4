import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import type { Io } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";
import { ApiPacing } from "../../src/collect/api-pacing.ts";
import { lookupEventsPacer } from "../../src/collect/cloudtrail.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = "";
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs the CLI in-process (fast): argv, an env for the CLI's own reads, and fake streams. */
export async function runCli(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    tty?: boolean;
    /** stderr is a terminal: the progress line, readable logs. */
    stderrTty?: boolean;
    confirm?: (q: string) => Promise<boolean>;
  } = {},
): Promise<CliResult> {
  const stdout = new Capture(options.tty);
  const stderr = new Capture(Boolean(options.stderrTty));
  const io: Io = {
    stdout,
    stderr,
    env: { ...process.env, ...options.env },
    stdinIsTTY: Boolean(options.tty),
    aws: {
      // The SDK's real retry decisions, without its back-off delays: fault tests take milliseconds.
      retryBackoffMs: () => 0,
      // AWS's limits, paced per run as a new process would be: the process's pacers would make each run wait out
      // the previous runs' CloudTrail second (2 LookupEvents a second) and IAM bucket.
      pacers: { api: new ApiPacing(), lookupEvents: lookupEventsPacer() },
    },
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
  const code = await main(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs the bundled CLI as a real process (what users run): exit code and output exactly as a shell sees them. */
export function runBundle(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["dist/ecs-preflight.mjs", ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** `check --format json` in-process: the parsed report, the exit code, and the AWS requests the run made. */
export async function checkJson<R>(fake: { requests: R[] }, ...args: string[]) {
  const before = fake.requests.length;
  const { code, stdout, stderr } = await runCli(["check", "--format", "json", ...args]);
  if (/\n\s+at [\w.<]/.test(stderr)) throw new Error(`stack trace on stderr:\n${stderr}`);
  const calls = fake.requests.slice(before);
  return { code, report: JSON.parse(stdout) as import("../../src/report/types.ts").Report, stderr, calls };
}
