import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import type { Io } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";
import { runPacers, skippingClock } from "./pacing.ts";

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

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  tty?: boolean;
  /** stderr is a terminal: the progress line, readable logs. */
  stderrTty?: boolean;
  confirm?: (q: string) => Promise<boolean>;
  /**
   * Wait out AWS's rate limits in real time, as a process does (what a test that measures the pacing needs). By
   * default the run's pacers decide on a clock that skips their waits: the same calls, without the seconds.
   */
  realTimePacing?: boolean;
  /**
   * The run's whole environment, as a process started with exactly this one (and PATH, HOME) has: the SDK reads
   * credentials, config files and endpoints from process.env itself. process.env is put back after the run.
   */
  processEnv?: NodeJS.ProcessEnv;
  /** The back-off before each retry (default: none, so fault tests take milliseconds; retries are still the SDK's). */
  retryBackoffMs?: (attempt: number) => number;
}

/** Runs the CLI in-process (fast): argv, an env for the CLI's own reads, and fake streams. */
export async function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  if (options.processEnv) {
    const { processEnv, ...rest } = options;
    return withProcessEnv({ PATH: process.env.PATH, HOME: process.env.HOME, ...processEnv }, () =>
      runCli(args, rest),
    );
  }
  const stdout = new Capture(options.tty);
  const stderr = new Capture(Boolean(options.stderrTty));
  const io: Io = {
    stdout,
    stderr,
    env: { ...process.env, ...options.env },
    stdinIsTTY: Boolean(options.tty),
    aws: {
      // The SDK's real retry decisions, without its back-off delays: fault tests take milliseconds.
      retryBackoffMs: options.retryBackoffMs ?? (() => 0),
      // Each run its own pacers, as each process has: the process's would make a run wait out the runs before it.
      pacers: runPacers(options.realTimePacing ? undefined : skippingClock()),
    },
    ...(options.confirm ? { confirm: options.confirm } : {}),
  };
  const code = await main(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs `body` with process.env holding exactly `env`, then puts the environment back. */
async function withProcessEnv<T>(env: NodeJS.ProcessEnv, body: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
  try {
    return await body();
  } finally {
    for (const key of Object.keys(process.env)) delete process.env[key];
    Object.assign(process.env, saved);
  }
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
export function checkJson<R>(fake: { requests: R[] }, ...args: string[]) {
  return checkJsonWith(fake, args);
}

/** checkJson with the run's options (real-time pacing, a terminal, ...). */
export async function checkJsonWith<R>(fake: { requests: R[] }, args: string[], options: RunOptions = {}) {
  const before = fake.requests.length;
  const { code, stdout, stderr } = await runCli(["check", "--format", "json", ...args], options);
  if (/\n\s+at [\w.<]/.test(stderr)) throw new Error(`stack trace on stderr:\n${stderr}`);
  const calls = fake.requests.slice(before);
  return { code, report: JSON.parse(stdout) as import("../../src/report/types.ts").Report, stderr, calls };
}
