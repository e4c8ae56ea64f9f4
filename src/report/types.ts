import type { StuckTaskLink } from "../analysis/trail-links.ts";
import type { Concerns } from "../engine/concerns.ts";
import type { Finding } from "../engine/finding.ts";
import type { Verdict } from "../engine/status.ts";
import type { LeakedVolumeTotal } from "../engine/totals.ts";
import type { FailOn, Summary } from "../engine/verdict.ts";
import type { AwsCalls, FactError, Scope } from "../facts/types.ts";

/** Per session name and role: what the role's CloudTrail sessions did (filled when CloudTrail is in scope). */
export type TrailSummary = Record<string, TrailRoleSummary[]>;

export interface TrailRoleSummary {
  roleArn: string;
  /** action -> outcome ("success" or the error code) -> count */
  counts: Record<string, Record<string, number>>;
  lastSuccess?: string;
  lastFailure?: string;
  /** Records of this session in the window that could not be read: their role is unknown, so they may be this role's. */
  unreadable?: number;
  /** Tasks stuck in DEPROVISIONING whose volume this role's session failed to handle (by volume id). */
  stuckTasks?: StuckTaskLink[];
}

/** Why every AWS call of a run failed, when one reason explains them all (src/pipeline/common-cause.ts). */
export type CommonCauseKind =
  | "no-credentials"
  | "expired-credentials"
  | "rejected-credentials"
  | "unreachable-endpoint"
  | "access-denied";

export interface CommonCause {
  kind: CommonCauseKind;
  /** The error code every call failed with (the first one's, when several codes mean the same, e.g. per service). */
  code: string;
  /** What the first failed call said. */
  message: string;
  /** How many facts failed this way (every one gathered). */
  failedCalls: number;
  /** One sentence: what is wrong, then how to fix it. */
  summary: string;
  fix: string;
}

/** The report: the stable, documented output (schema/report.schema.json). */
export interface Report {
  schemaVersion: 1;
  tool: { name: "ecs-preflight"; version: string };
  verdict: Verdict;
  exitCode: number;
  failOn: FailOn;
  /** The Region checked; for a report over several targets, their Region when they share one, else null. */
  region: string | null;
  /** Likewise the account. */
  account: string | null;
  /** Set when every AWS call failed for one reason: said once, with the fix (the findings stay unknown). */
  commonCause?: CommonCause;
  scope: Scope & { source: "aws" | "snapshot"; snapshot?: string };
  startedAt: string;
  /** When the facts were collected (equal to startedAt for a live run; the snapshot's time on replay). */
  collectedAt: string;
  durationMs: number;
  summary: Summary;
  /** Which concerns failed and which passed (absent in reports written before concerns existed). */
  concerns?: Concerns;
  findings: Finding[];
  trail: TrailSummary;
  /** The leaked-volumes findings' estimated monthly cost, when any volume was found leaked (suppressed ones too). */
  leakedVolumes?: LeakedVolumeTotal;
  /**
   * A live run's AWS calls, retries and throttled answers (absent for a snapshot or facts in memory); over targets,
   * their sum and the fan-out's own calls (in a merge, the targets' sum).
   */
  aws?: AwsCalls;
  /** A run over targets (--accounts/--regions, merge): one entry per account-Region, worst first. */
  targets?: TargetResult[];
}

/** One account-Region's outcome in a report over targets: what a per-target metric set or dashboard row needs. */
export interface TargetResult {
  account: string;
  region: string;
  verdict: Verdict;
  exitCode: number;
  summary: Summary;
  /** The target's concerns (absent in reports written before concerns existed). */
  concerns?: Concerns;
  /** The role assumed there; absent for the caller's own account. */
  roleArn?: string;
  durationMs: number;
  /** Why the target could not be checked at all (role not assumable, session expired): its verdict is unknown. */
  error?: FactError;
  /** The target's CloudTrail summary (failed trail calls per target). */
  trail: TrailSummary;
  /** The target's own AWS calls, retries and throttled answers. */
  aws?: AwsCalls;
}
