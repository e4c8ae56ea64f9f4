/**
 * The outcome of one check on one resource. `skipped`: the rule had something in scope but nothing it could honestly
 * judge (it says why, and which flag would make it judged); never a read that failed, which is `unknown`.
 */
export type Status = "pass" | "warn" | "fail" | "unknown" | "skipped";

/** What a run (or a concern, or a target) comes to: a skipped check counts as a pass. */
export type Verdict = Exclude<Status, "skipped">;

/** Severity: fail > unknown > warn > pass, and skipped ranks with pass (it blocks nothing). */
const RANK: Record<Status, number> = { skipped: 0, pass: 0, warn: 1, unknown: 2, fail: 3 };

/** Whether `a` is worse than `b`: a pass is worse than a skip (something was judged), never the other way. */
function worse(a: Status, b: Status): boolean {
  return RANK[a] > RANK[b] || (RANK[a] === RANK[b] && b === "skipped" && a !== "skipped");
}

/** The worst of some statuses; `none` when there are none. The one place severity is decided. */
export function worstStatus(statuses: Iterable<Status>, none: Status = "pass"): Status {
  let worst: Status | undefined;
  for (const s of statuses) if (worst === undefined || worse(s, worst)) worst = s;
  return worst ?? none;
}

/** The worst of two statuses. */
export function worseOf(a: Status, b: Status): Status {
  return worse(b, a) ? b : a;
}

/** A status as a verdict: skipped counts as pass. */
export function asVerdict(status: Status): Verdict {
  return status === "skipped" ? "pass" : status;
}

/** Orders verdicts worst first (for targets and headlines). */
export function verdictRank(verdict: Verdict): number {
  return RANK[verdict];
}
