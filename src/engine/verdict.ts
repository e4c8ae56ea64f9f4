import type { Finding } from "./finding.ts";
import { asVerdict, type Verdict, worstStatus } from "./status.ts";

/** Exit codes: the contract a pipeline gates on. */
export const EXIT = {
  safe: 0,
  unsafe: 1,
  usage: 2,
  undecided: 3,
} as const;

export interface Summary {
  pass: number;
  warn: number;
  fail: number;
  unknown: number;
  /** Findings the rule could not honestly judge; absent in reports written before the status existed. */
  skipped?: number;
  suppressed: number;
}

/** The worst status among unsuppressed findings: fail > unknown > warn > pass (skipped is a pass); none is pass. */
export function verdictOf(findings: readonly Finding[]): Verdict {
  return asVerdict(worstStatus(findings.filter((f) => !f.suppressed).map((f) => f.status)));
}

export function summarise(findings: readonly Finding[]): Summary {
  const summary = { pass: 0, warn: 0, fail: 0, unknown: 0, skipped: 0, suppressed: 0 };
  for (const f of findings) {
    if (f.suppressed) summary.suppressed++;
    else summary[f.status]++;
  }
  return summary;
}

/** `failOn` is the lowest status that blocks: "fail" (default) lets warnings through, "warn" blocks them too. */
export type FailOn = "fail" | "warn";

export function exitCodeFor(verdict: Verdict, failOn: FailOn): number {
  switch (verdict) {
    case "fail":
      return EXIT.unsafe;
    case "unknown":
      return EXIT.undecided;
    case "warn":
      return failOn === "warn" ? EXIT.unsafe : EXIT.safe;
    default:
      return EXIT.safe;
  }
}
