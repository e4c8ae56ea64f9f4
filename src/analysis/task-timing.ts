import type { TaskFacts } from "../facts/types.ts";

/** When a task began stopping, and which of its times said so. */
export interface StoppingSince {
  at: string;
  from: "stoppingAt" | "executionStoppedAt";
  ms: number;
}

/**
 * Since when the task has been stopping: `stoppingAt`, else `executionStoppedAt`. Never `createdAt`, which is when
 * the task started: an old task that began stopping a minute ago is not stuck. Undefined when ECS gave neither.
 */
export function stoppingSince(task: TaskFacts): StoppingSince | undefined {
  for (const from of ["stoppingAt", "executionStoppedAt"] as const) {
    const at = task[from];
    const ms = at ? Date.parse(at) : Number.NaN;
    if (at && !Number.isNaN(ms)) return { at, from, ms };
  }
  return undefined;
}
