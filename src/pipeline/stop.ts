import type { AwsSettings } from "../collect/clients.ts";
import type { StopOutcome, WaitOutcome } from "../collect/ecs-stop.ts";
import type { Config } from "../engine/config.ts";
import type { Rule } from "../engine/rule.ts";
import { EXIT } from "../engine/verdict.ts";
import type { Logger } from "../log.ts";
import type { Report } from "../report/types.ts";

/**
 * `stop`, the one command that changes AWS: check, and call StopTask only when the check passes (after a
 * confirmation, checked again), then follow the tasks to STOPPED. The CLI gives it the check to run and the person's
 * answer, and says each step as it is told (StopEvent); this decides.
 */

/** The levels `stop`'s check starts from: rules that judge nothing about stopping the named tasks are off. */
export function levelsForStop(rules: readonly Rule[]): Config["rules"] {
  return Object.fromEntries(rules.filter((r) => r.offWhenStopping).map((r) => [r.id, "off"]));
}

/** What happened, in order, for the CLI to say. */
export type StopEvent =
  | { kind: "checked"; report: Report }
  | { kind: "not-safe"; report: Report }
  | { kind: "declined" }
  | { kind: "no-longer-safe"; report: Report }
  | { kind: "timeout-spent" }
  | { kind: "stopped"; outcomes: StopOutcome[] }
  | { kind: "waited"; outcome: WaitOutcome };

export interface StopRequest {
  cluster: string;
  tasks: string[];
  /** Recorded with StopTask. */
  reason: string;
  /** Follow the tasks until STOPPED (a task still there after stuckAfterMs is a failure). */
  wait: boolean;
  stuckAfterMs: number;
  pollMs: number;
  /** The run's --timeout: what the check used is spent (time at the prompt is not). */
  timeoutMs?: number;
  /** The check that must pass: run first, and again after a confirmation (a role can go meanwhile). */
  check(): Promise<Report>;
  /** Asks the person; absent with --yes. */
  confirm?: () => Promise<boolean>;
  /** The AWS settings StopTask is called with, given the time the run has left. */
  aws(timeoutLeftMs: number | undefined): Promise<AwsSettings>;
  on(event: StopEvent): Promise<void> | void;
  log?: Logger;
}

/** Checks, confirms, checks again, stops and (with wait) follows the tasks; returns the exit code. */
export async function stopAfterCheck(request: StopRequest): Promise<number> {
  const started = Date.now();
  const report = await request.check();
  const checkMs = Date.now() - started;
  await request.on({ kind: "checked", report });
  if (report.exitCode !== EXIT.safe) {
    await request.on({ kind: "not-safe", report });
    return report.exitCode;
  }
  if (request.confirm) {
    if (!(await request.confirm())) {
      await request.on({ kind: "declined" });
      return EXIT.unsafe;
    }
    const again = await request.check();
    if (again.exitCode !== EXIT.safe) {
      await request.on({ kind: "no-longer-safe", report: again });
      return again.exitCode;
    }
  }
  const left = request.timeoutMs === undefined ? undefined : request.timeoutMs - checkMs;
  if (left !== undefined && left <= 0) {
    await request.on({ kind: "timeout-spent" });
    return EXIT.undecided;
  }
  return stopAndFollow(request, await request.aws(left));
}

async function stopAndFollow(request: StopRequest, aws: AwsSettings): Promise<number> {
  const { createClients } = await import("../collect/clients.ts");
  const { stopTasks, waitUntilStopped } = await import("../collect/ecs-stop.ts");
  const clients = createClients(aws);
  try {
    const stoppedAt = new Date();
    const outcomes = await stopTasks(clients.ecs, request.cluster, request.tasks, request.reason);
    request.log?.info(
      {
        cluster: request.cluster,
        stopped: outcomes.filter((o) => o.ok).length,
        failed: outcomes.filter((o) => !o.ok).length,
      },
      "StopTask done",
    );
    await request.on({ kind: "stopped", outcomes });
    if (!outcomes.every((o) => o.ok)) return EXIT.unsafe;
    if (!request.wait) return EXIT.safe;
    const outcome = await waitUntilStopped(clients.ecs, request.cluster, request.tasks, {
      stuckAfterMs: request.stuckAfterMs,
      pollMs: request.pollMs,
      stoppedAt,
    });
    await request.on({ kind: "waited", outcome });
    return outcome.kind === "stopped" ? EXIT.safe : outcome.kind === "stuck" ? EXIT.unsafe : EXIT.undecided;
  } finally {
    clients.destroy();
  }
}
