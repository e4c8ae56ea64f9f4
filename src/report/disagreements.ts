import type { EvaluatorDisagreement } from "../analysis/organizations-decision.ts";
import type { Finding } from "../engine/finding.ts";

/**
 * Where AWS's own simulator (iam:SimulatePrincipalPolicy) and the tool's evaluator decided an action differently,
 * with every context value supplied: the best field report of an evaluator bug there is. Rules keep both decisions
 * in `details.organizations.disagreements` and leave the status alone; the pipeline logs each as a warning.
 */
export interface ReportedDisagreement extends EvaluatorDisagreement {
  rule: string;
  resource: string;
}

function disagreementsOf(details: Finding["details"]): EvaluatorDisagreement[] {
  const organizations = details?.organizations as { disagreements?: EvaluatorDisagreement[] } | undefined;
  return Array.isArray(organizations?.disagreements) ? organizations.disagreements : [];
}

export function evaluatorDisagreements(findings: readonly Finding[]): ReportedDisagreement[] {
  return findings.flatMap((f) =>
    disagreementsOf(f.details).map((d) => ({ rule: f.rule, resource: f.resource, ...d })),
  );
}
