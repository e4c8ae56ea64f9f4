import { describeStatement, mayBeDenied, undecidedWhat } from "../../src/analysis/describe-decision.ts";
import { ECS_SERVICE_PRINCIPAL } from "../../src/analysis/ecs-requests.ts";
import type { TlsActionVerdict } from "../../src/analysis/tls-access.ts";
import { TLS_POLICY_NAME, TLS_POLICY_VERSION } from "../../src/analysis/tls-requests.ts";
import { TLS_SESSION_NAME } from "../../src/analysis/trail-links.ts";
import type { Decision } from "../../src/iam/types.ts";

/** What decided an action: "allowed by …", "denied by …", "not allowed by any policy". */
function reasonOf(decision: Decision): string {
  const by = decision.statements.map(describeStatement).join(", ");
  switch (decision.decision) {
    case "allow":
      return `allowed by ${by}`;
    case "explicit-deny":
      return `denied by ${by}`;
    case "conditional":
      return mayBeDenied(decision)
        ? `may be denied, depending on ${undecidedWhat(decision)}`
        : `allowed only if ECS's request meets ${undecidedWhat(decision)}`;
    default:
      return decision.boundary === "implicit-deny" && decision.statements.length === 0
        ? "not allowed by the permissions boundary"
        : "not allowed by any policy";
  }
}

/** One action's line: the action and what decided it. */
export function explainAction({ requirement: { action }, decision }: TlsActionVerdict): string {
  return `${action} ${reasonOf(decision)}`;
}

/** "a, b and 3 more": a role with no TLS permissions at all would otherwise list thirteen actions. */
export function listed(items: readonly string[]): string {
  return items.length <= 4
    ? items.join(", ")
    : `${items.slice(0, 3).join(", ")} and ${items.length - 3} more`;
}

/** Plain "not allowed" actions grouped in one clause each; denies and doubts each name their statement or condition. */
export function actionProblems(verdicts: readonly TlsActionVerdict[]): string[] {
  const grouped = new Map<string, string[]>();
  const others: string[] = [];
  for (const v of verdicts.filter((x) => x.decision.decision !== "allow")) {
    if (v.decision.decision !== "implicit-deny") others.push(explainAction(v));
    else {
      const why = reasonOf(v.decision);
      grouped.set(why, [...(grouped.get(why) ?? []), v.requirement.action]);
    }
  }
  return [...[...grouped].map(([why, actions]) => `${listed(actions)} ${why}`), ...others];
}

/** A trust that does not simply allow ECS: the same analysis as trust-policy, which has the statements. */
export function trustProblem(decision: Decision): string {
  switch (decision.decision) {
    case "explicit-deny":
      return `its trust policy denies ${ECS_SERVICE_PRINCIPAL} sts:AssumeRole (see trust-policy)`;
    case "implicit-deny":
      return `its trust policy does not let ${ECS_SERVICE_PRINCIPAL} assume it (see trust-policy)`;
    default:
      return `ECS may assume it only if its request meets the trust policy's ${undecidedWhat(decision)} (see trust-policy)`;
  }
}

interface Refused {
  role: string;
  services: readonly string[];
  problems: readonly string[];
  /** The role's failed ECSServiceConnectForTLS calls in the window, when CloudTrail shows some. */
  trail?: { failedCalls: number; since: string };
}

const usedBy = (services: readonly string[]) =>
  services.length ? ` (Service Connect TLS of ${listed(services)})` : "";

function trailNote(trail: Refused["trail"]): string {
  if (!trail) return "";
  const calls = `${trail.failedCalls} failed ${TLS_SESSION_NAME} call${trail.failedCalls === 1 ? "" : "s"}`;
  return ` CloudTrail shows ${calls} by it since ${trail.since} (see cloudtrail-errors).`;
}

const said = (d: Refused, consequence: string) =>
  `${d.role}${usedBy(d.services)}: ${d.problems.join("; ")}.${consequence}${trailNote(d.trail)}`;

/** tls-permissions' wording, by message id (the status decides which). */
export const messages = {
  allowed: (d: { role: string; services: readonly string[] }) =>
    `${ECS_SERVICE_PRINCIPAL} may assume ${d.role}${usedBy(d.services)}, and it may perform every action of ${TLS_POLICY_NAME} ${TLS_POLICY_VERSION} as ECS asks.`,
  refused: (d: Refused) =>
    said(d, " ECS cannot issue or rotate the Service Connect TLS certificates of the services that use it."),
  unproven: (d: Refused) =>
    said(
      d,
      " The tool cannot prove ECS may do it: if not, Service Connect TLS certificates cannot be issued or rotated.",
    ),
  atRisk: (d: Refused) => said(d, ""),
};
