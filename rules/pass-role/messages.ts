import { describeStatement, undecidedWhat } from "../../src/analysis/describe-decision.ts";
import { couldNotCheck } from "../../src/engine/unknown.ts";
import type { FactError } from "../../src/facts/types.ts";
import type { Decision, StatementRef } from "../../src/iam/types.ts";
import type { EvaluablePrincipal, PrincipalPolicies } from "./principal-policies.ts";

/**
 * "role arn:…:role/ci/deployer (created service web)", "user arn:…:user/ci/deployer" or "role arn:…:role/teams/deploy
 * (the caller, as arn:aws:sts::…:assumed-role/…)": who is judged, and why.
 */
function principalLabel(p: EvaluablePrincipal, services: string): string {
  const via =
    p.source === "caller"
      ? p.ref === p.arn
        ? " (the caller)"
        : ` (the caller, as ${p.ref})`
      : p.source === "created-by"
        ? ` (created ${services})`
        : "";
  return `${p.kind} ${p.arn}${via}`;
}

function describeHeld(policies: PrincipalPolicies, ref: StatementRef): string {
  const holder = policies.holders.get(ref.source);
  const of = holder && ref.source.kind !== "boundary" ? ` of ${holder.kind} ${holder.name}` : "";
  return `${describeStatement(ref)}${of}`;
}

/** Why the decision came out as it did, naming the statement or the boundary. */
function explain({ policies, decision, identityAlone }: Judged): string {
  const list = (refs: StatementRef[]) => refs.map((r) => describeHeld(policies, r)).join(", ");
  switch (decision.decision) {
    case "allow":
      return `iam:PassRole allowed by ${list(decision.statements)}`;
    case "explicit-deny":
      return `iam:PassRole denied by ${list(decision.statements)}`;
    case "conditional":
      return `iam:PassRole allowed only if the deployment's request meets ${undecidedWhat(decision)}, which the tool cannot know`;
    default: {
      const boundary = policies.boundary?.[0]?.source;
      if (identityAlone.decision === "allow" && boundary)
        return `iam:PassRole is allowed by ${list(identityAlone.statements)}, but the permissions boundary ${boundary.arn}${boundary.versionId ? ` (${boundary.versionId})` : ""} does not allow it`;
      return "no policy allows iam:PassRole on the role with iam:PassedToService = ecs.amazonaws.com";
    }
  }
}

/** A principal judged for one role: its policies, the decision, and the identity policies' alone (no boundary). */
export interface Judged {
  principal: EvaluablePrincipal;
  role: string;
  policies: PrincipalPolicies;
  decision: Decision;
  identityAlone: Decision;
  /** The services a created-by principal made ("web, api"); empty for a --principal. */
  services: string;
}

const who = (d: Judged) => principalLabel(d.principal, d.services);

/** How to get a skipped finding judged. */
const NAME_IT = "Name who deploys with --principal ARN (repeatable) to judge it.";

/** pass-role's wording, by message id. */
export const messages = {
  allowed: (d: Judged) => `${who(d)} may pass ${d.role} to ECS: ${explain(d)}.`,
  unproven: (d: Judged) =>
    `${who(d)} may pass ${d.role} to ECS only conditionally: ${explain(d)}. The gate does not open on a permission it cannot prove.`,
  refused: (d: Judged) =>
    `${who(d)} may not pass ${d.role} to ECS: ${explain(d)}. Its CreateService, UpdateService, RunTask and StartTask ` +
    "calls that name the role fail, and AWS lists a missing PassRole among the causes of tasks stuck in DEPROVISIONING.",
  /** The root user deploys: IAM policies do not limit it, so it may pass the role; but nobody should deploy as root. */
  root: (d: { principal: string; role: string; services: string }) =>
    `${d.principal}, the account's root user${d.services ? `, created ${d.services}` : ""}: it may pass ${d.role} to ECS (IAM policies do not limit the root user), but deployments should not run as root. Deploy with an IAM role that has iam:PassRole on the role, and name it with --principal to have it judged.`,
  /** A federated user, or another shape IAM policies do not describe. */
  unsupported: (d: { principal: string; caller: boolean; role: string; reason: string }) =>
    `Cannot judge whether ${d.principal}${d.caller ? " (the caller)" : ""} may pass ${d.role} to ECS: ${d.reason}. Name the deploying IAM role or user with --principal.`,
  /** Nobody is known to deploy with the role: skipped, saying why and which flag gets it judged. */
  nobody: (d: { role: string; why: string }) =>
    `Not judged whether a deploying principal may pass ${d.role} to ECS: ${d.why}. ${NAME_IT}`,
  /** The principal (a service's creator, or a --principal) no longer exists: skipped. */
  gone: (d: { role: string; principal: string; services: string }) =>
    `Not judged whether ${d.principal}${d.services ? ` (created ${d.services})` : ""} may pass ${d.role} to ECS: it no longer exists (IAM answered NoSuchEntity), so it deploys nothing. ${NAME_IT}`,
  /** The principal's policies could not be read: what the checker needs to read them. */
  unreadable: (d: { role: string; error: FactError; needed: readonly string[]; standInTried: boolean }) =>
    `${couldNotCheck(`whether the deploying principal may pass ${d.role} to ECS`, d.error)} To judge the principal, the checker's credentials need ${d.needed.join(", ")}${
      d.standInTried
        ? " (iam:GetAccountAuthorizationDetails can stand in for all but the last two; it was tried, and did not answer for the principal either)"
        : ""
    }.`,
};
