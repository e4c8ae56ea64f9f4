import type { VolumePriceTable } from "../analysis/volume-cost.ts";
import type { Facts } from "../facts/types.ts";

/** The outcome of one check on one resource. Order of severity: fail > unknown > warn > pass. */
export type Status = "pass" | "warn" | "fail" | "unknown";

export const STATUS_ORDER: readonly Status[] = ["pass", "warn", "unknown", "fail"];

/** What a rule found about one resource it looked at. Passes are findings too: they show what was verified. */
export interface Finding {
  rule: string;
  status: Status;
  /** The resource checked: a role ARN, a task ARN, a cluster ARN. */
  resource: string;
  /** One sentence a person can act on. */
  message: string;
  /** Structured evidence (statements, tasks, counts); stable keys per rule, documented in the rule's docs. */
  details?: Record<string, unknown>;
  /** Commands or steps that fix it, ready to paste. Empty for passes. */
  remediation?: string;
  /** Set by the engine when a configured suppression matched. */
  suppressed?: { reason: string };
  /** The account and Region checked: set by the pipeline for a run over targets (never by rules). */
  account?: string;
  region?: string;
}

/** Options every rule may read; the engine fills them from flags and config. */
export interface RuleOptions {
  /** The evaluation instant (the snapshot's collectedAt, so a replay is exact). */
  now: Date;
  /** A task DEPROVISIONING longer than this is stuck. */
  stuckAfterMs: number;
  /** Prices for a leaked volume's monthly cost; the default us-east-1 table when absent. */
  volumePrices?: VolumePriceTable;
  /** `check --before-role-change`: the caller is about to change or delete the roles in scope (role-in-use fails while they are in use). */
  beforeRoleChange?: boolean;
}

export interface RuleDocs {
  /** One line: what the rule checks. */
  summary: string;
  /** Why it matters: what breaks when it fails. */
  rationale: string;
  /** How to fix it, in prose with the AWS CLI commands. */
  remediation: string;
  /**
   * The fix as configuration to paste, one snippet per tool (shown by `explain`, docs/rules and SARIF help). A rule
   * of severity fail has at least `awsCli`; a rule whose fix is operational says so in `operational` instead.
   */
  snippets?: RemediationSnippets;
}

export interface RemediationSnippets {
  /** Shell commands for the AWS CLI v2. */
  awsCli?: string;
  /** A CloudFormation template fragment (YAML). */
  cloudFormation?: string;
  /** Terraform (HCL, AWS provider). */
  terraform?: string;
  /** Why there is no configuration to paste: the fix is an operation (delete a volume, wait for a task). */
  operational?: string;
}

/** A rule: stable id, metadata, and a pure check of Facts. */
export interface Rule {
  id: string;
  title: string;
  /** The worst status this rule reports for a problem it is sure of ("fail", or "warn" for advisory rules). */
  severity: "fail" | "warn";
  /** A required rule reports what the tool could not read: the config may not turn it off or cap it at warn. */
  required?: boolean;
  /** The rule is the question `check --before-role-change` asks: in that mode it is required as well. */
  requiredBeforeRoleChange?: boolean;
  docs: RuleDocs;
  /** Pure: reads facts and options, returns a finding per resource checked (without the rule id). */
  check(facts: Facts, options: RuleOptions): RuleFinding[];
}

export type RuleFinding = Omit<Finding, "rule" | "suppressed">;

/** Typed identity helper so each rule file reads as its metadata plus its check. */
export function defineRule(rule: Rule): Rule {
  return rule;
}
