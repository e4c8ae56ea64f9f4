import type { Concern } from "./concern.ts";
import type { Status } from "./status.ts";

/** What a rule found about one resource it looked at. Passes are findings too: they show what was verified. */
export interface RuleFinding<Details = Record<string, unknown>> {
  status: Status;
  /** The resource checked: a role ARN, a task ARN, a cluster ARN. */
  resource: string;
  /** One sentence a person can act on. */
  message: string;
  /** Structured evidence (statements, tasks, counts); typed per rule, documented in the rule's docs. */
  details?: Details;
  /** Commands or steps that fix it, ready to paste (for a skipped finding: how to get it judged). Empty for passes. */
  remediation?: string;
  /**
   * The question this finding is about, when it is not its rule's (managed-policy's warning about a use other than
   * EBS volumes is about deploying and running services, not stopping tasks). Absent: the rule's concern.
   */
  concern?: Concern;
}

/** A finding in a report: the rule's finding with its rule id, and what the engine and pipeline added. */
export interface Finding extends RuleFinding {
  rule: string;
  /** Set by the engine when a configured suppression matched. */
  suppressed?: { reason: string };
  /** The account and Region checked: set by the pipeline for a run over targets (never by rules). */
  account?: string;
  region?: string;
}

/** The details of a finding for a fact that could not be read (`unknownFinding`), or of a rule that crashed. */
export type UnknownDetails = {
  api: string;
  code: string;
  error: string;
  missingPermission?: string;
};
