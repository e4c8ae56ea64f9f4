import { DescribeTasksCommand, type ECSClient, StopTaskCommand } from "@aws-sdk/client-ecs";
import pRetry, { AbortError } from "p-retry";
import { stoppingSince } from "../analysis/task-timing.ts";
import { shortName } from "../arn/arn.ts";
import type { FactError, TaskFacts } from "../facts/types.ts";
import { DESCRIBE_TASKS_MAX } from "./ecs.ts";
import { taskFacts } from "./ecs-shapes.ts";
import { toFactError } from "./fact.ts";

/**
 * The one place ecs-preflight changes anything: StopTask, for the `stop` command after a passing check, and the
 * polling that follows it. A test keeps StopTaskCommand out of every other file.
 */

export type StopOutcome =
  | { task: string; ok: true; lastStatus: string }
  | { task: string; ok: false; error: FactError };

/** Calls StopTask for each task, one at a time (a handful of tasks; a failure must not hide the others' results). */
export async function stopTasks(
  ecs: ECSClient,
  cluster: string,
  tasks: readonly string[],
  reason: string,
): Promise<StopOutcome[]> {
  const outcomes: StopOutcome[] = [];
  for (const task of tasks) {
    try {
      const out = await ecs.send(new StopTaskCommand({ cluster, task, reason }));
      outcomes.push({ task: out.task?.taskArn ?? task, ok: true, lastStatus: out.task?.lastStatus ?? "" });
    } catch (err) {
      outcomes.push({ task, ok: false, error: toFactError("ecs:StopTask", err) });
    }
  }
  return outcomes;
}

export type WaitOutcome =
  | { kind: "stopped"; tasks: TaskFacts[] }
  /** A task still not STOPPED after stuckAfter, measured from stoppingAt, else executionStoppedAt, else the stop call. */
  | { kind: "stuck"; task: TaskFacts; stuckForMs: number }
  | { kind: "error"; error: FactError };

export interface WaitOptions {
  stuckAfterMs: number;
  /** Delay between two DescribeTasks polls (the SDK's TasksStopped waiter uses 6 s). */
  pollMs: number;
  /** When StopTask was called: the fallback start for a task that reports no stopping time. */
  stoppedAt: Date;
  now?: () => Date;
}

class StillStopping extends Error {
  override readonly name = "StillStopping";
}

class Stuck extends Error {
  constructor(
    readonly task: TaskFacts,
    readonly stuckForMs: number,
  ) {
    super(`task ${task.arn} is still ${task.lastStatus}`);
  }
}

async function describe(ecs: ECSClient, cluster: string, tasks: readonly string[]): Promise<TaskFacts[]> {
  const out: TaskFacts[] = [];
  for (let i = 0; i < tasks.length; i += DESCRIBE_TASKS_MAX) {
    const page = await ecs.send(
      new DescribeTasksCommand({ cluster, tasks: tasks.slice(i, i + DESCRIBE_TASKS_MAX) }),
    );
    const failure = page.failures?.[0];
    if (failure)
      throw Object.assign(new Error(`${failure.arn}: ${failure.reason}`), {
        name: failure.reason ?? "Failure",
      });
    for (const t of page.tasks ?? []) {
      const facts = taskFacts(t);
      if (facts) out.push(facts);
    }
  }
  return out;
}

/**
 * Polls DescribeTasks until every task is STOPPED. p-retry drives the loop (never stacked on the SDK's own retries:
 * a DescribeTasks error ends the wait), and a task not STOPPED after stuckAfter ends it too.
 */
export async function waitUntilStopped(
  ecs: ECSClient,
  cluster: string,
  tasks: readonly string[],
  options: WaitOptions,
): Promise<WaitOutcome> {
  const now = options.now ?? (() => new Date());
  const poll = async (): Promise<TaskFacts[]> => {
    let states: TaskFacts[];
    try {
      states = await describe(ecs, cluster, tasks);
    } catch (err) {
      throw new AbortError(
        Object.assign(new Error("DescribeTasks failed"), { fact: toFactError("ecs:DescribeTasks", err) }),
      );
    }
    // Every task asked about must come back STOPPED: a task missing from the answer has not been seen to stop.
    const answered = new Set(states.map((t) => shortName(t.arn)));
    const unanswered = tasks.filter((t) => !answered.has(shortName(t)));
    if (unanswered.length) {
      throw new AbortError(
        Object.assign(new Error("DescribeTasks left tasks out"), {
          fact: {
            api: "ecs:DescribeTasks",
            code: "NotAnswered",
            message: `DescribeTasks returned no state for ${unanswered.join(", ")}: cannot tell whether it stopped`,
          },
        }),
      );
    }
    const pending = states.filter((t) => t.lastStatus !== "STOPPED");
    if (!pending.length) return states;
    for (const task of pending) {
      const since = stoppingSince(task)?.ms ?? options.stoppedAt.getTime();
      const stuckForMs = now().getTime() - since;
      if (stuckForMs > options.stuckAfterMs) throw new AbortError(new Stuck(task, stuckForMs));
    }
    throw new StillStopping(`${pending.length} task(s) not STOPPED yet`);
  };
  try {
    const stopped = await pRetry(poll, {
      retries: Number.POSITIVE_INFINITY,
      factor: 1,
      minTimeout: options.pollMs,
      maxTimeout: options.pollMs,
      randomize: false,
    });
    return { kind: "stopped", tasks: stopped };
  } catch (err) {
    if (err instanceof Stuck) return { kind: "stuck", task: err.task, stuckForMs: err.stuckForMs };
    const fact = (err as { fact?: FactError }).fact;
    return { kind: "error", error: fact ?? toFactError("ecs:DescribeTasks", err) };
  }
}
