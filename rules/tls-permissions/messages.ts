import { ECS_SERVICE_PRINCIPAL } from "../../src/analysis/ecs-requests.ts";
import { TLS_POLICY_NAME, TLS_POLICY_VERSION } from "../../src/analysis/tls-requests.ts";
import { TLS_SESSION_NAME } from "../../src/analysis/trail-links.ts";
import { listed } from "../../src/analysis/use-findings.ts";

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
