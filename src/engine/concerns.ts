import { CONCERNS, type Concern } from "./concern.ts";
import type { Finding } from "./finding.ts";
import { type Status, worstStatus } from "./status.ts";

export { CONCERN_TITLES, CONCERNS, type Concern } from "./concern.ts";

/** One concern's outcome in a report (the JSON report's `concerns`). Suppressed findings are left out. */
export interface ConcernResult {
  /** The worst status of its findings (skipped only when every one was skipped); pass when it has none. */
  status: Status;
  /** How many unsuppressed findings it has: 0 when nothing in scope concerned it. */
  findings: number;
  /** The rules with a fail, an unknown, a warning or a skip in it, in report order. */
  failed: string[];
  unknown: string[];
  warned: string[];
  skipped: string[];
}

export type Concerns = Record<Concern, ConcernResult>;

/** Which concern a rule id belongs to; undefined for a finding no rule of this version owns. */
export type ConcernOf = (rule: string) => Concern | undefined;

const LISTED = { fail: "failed", unknown: "unknown", warn: "warned", skipped: "skipped" } as const;

/**
 * Each concern's outcome over some findings. A finding no rule owns (a target that could not be reached, a rule of
 * a newer version in a merged report) counts in every concern: nothing about that target was verified.
 */
export function concernsOf(findings: readonly Finding[], concernOf: ConcernOf): Concerns {
  const concerns = Object.fromEntries(
    CONCERNS.map((c) => [
      c,
      { status: "pass", findings: 0, failed: [], unknown: [], warned: [], skipped: [] },
    ]),
  ) as unknown as Concerns;
  const statuses = new Map<Concern, Status[]>(CONCERNS.map((c) => [c, []]));
  for (const f of findings) {
    if (f.suppressed) continue;
    const owner = f.concern ?? concernOf(f.rule);
    for (const concern of owner ? [owner] : CONCERNS) {
      const result = concerns[concern];
      result.findings += 1;
      statuses.get(concern)?.push(f.status);
      if (f.status === "pass") continue;
      const list = result[LISTED[f.status]];
      if (!list.includes(f.rule)) list.push(f.rule);
    }
  }
  for (const concern of CONCERNS) concerns[concern].status = worstStatus(statuses.get(concern) ?? []);
  return concerns;
}
