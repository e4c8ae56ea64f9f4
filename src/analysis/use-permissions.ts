import { parseArn } from "../arn/arn.ts";
import { type Status, worstStatus } from "../engine/status.ts";
import type { FactError, Facts, RoleFacts } from "../facts/types.ts";
import type { Decision } from "../iam/types.ts";
import { decisionDetails, mayBeDenied } from "./describe-decision.ts";
import { attachPolicyCommand, updateTrustCommand } from "./fix-commands.ts";
import { type InfrastructureUse, usePolicyArn } from "./infrastructure-uses.ts";
import { organizationsDecision } from "./organizations-decision.ts";
import { type LesserDenial, type OrganizationsDetails, organizationsPart } from "./organizations-finding.ts";
import { type ExistingRole, existingRole, type RolePolicies, rolePolicies } from "./role-policies.ts";
import { roleSession } from "./trail-links.ts";
import { ecsTrustDecision } from "./trust-access.ts";
import { type UseActionVerdict, useAccess } from "./use-access.ts";
import { actionProblems, explainAction, trustProblem } from "./use-findings.ts";
import { fixForAction } from "./volume-access.ts";

/**
 * The one judgement of whether ECS can use a role for one of its uses (INFRASTRUCTURE_USES): ECS can assume it (the
 * trust, as trust-policy judges it) and every action the use requires is allowed in the context ECS brings (the
 * requirement's requests). tls-permissions and the rules of Managed Instances, Express Mode, VPC Lattice and
 * blue/green load balancers are this judgement worded; volume-permissions, managed-policy and the change gate use
 * its action evaluation (use-access.ts).
 */

/** A permission the tool cannot prove is not a pass, and not a mere warning: the gate must not open on it. */
export const STATUS_OF: Record<Decision["decision"], Status> = {
  allow: "pass",
  conditional: "unknown",
  "explicit-deny": "fail",
  "implicit-deny": "fail",
};

/** One part of the judgement: its status, what it found wrong, and the fixes. */
export interface Part {
  status: Status;
  problems: string[];
  fixes: string[];
}

export type TrustDetails = ReturnType<typeof decisionDetails> | { api: string; code: string; error: string };
export type ActionDetails = ReturnType<typeof decisionDetails> & { policySid?: string; explanation: string };

/** Same analysis and statuses as trust-policy, which reports this trust too: here it is named as the use's consequence. */
export function judgeTrust(
  facts: Facts,
  detail: ExistingRole,
  roleName: string,
): Part & { details: TrustDetails } {
  const trust = ecsTrustDecision(facts, detail);
  if (!trust.ok) {
    const { api, code, message } = trust.error;
    return {
      status: "unknown",
      problems: [`its trust policy could not be read (${code}: ${message})`],
      fixes: [],
      details: { api, code, error: message },
    };
  }
  const { decision } = trust.value;
  const details = decisionDetails(decision);
  if (decision.decision === "allow") return { status: "pass", problems: [], fixes: [], details };
  const status = decision.decision === "conditional" ? (mayBeDenied(decision) ? "unknown" : "warn") : "fail";
  return { status, problems: [trustProblem(decision)], fixes: [updateTrustCommand(roleName)], details };
}

/** Every action of the use ECS needs of the role, as ECS asks for it; the fix aimed at what refused each. */
export function judgeActions(
  facts: Facts,
  role: Pick<RoleFacts, "name" | "referencedBy">,
  policies: RolePolicies,
  use: InfrastructureUse,
  boundaryArn: string | undefined,
): Part & { actions: Record<string, ActionDetails>; verdicts: UseActionVerdict[] } {
  const roleName = role.name;
  const partition = parseArn(policies.arn)?.partition ?? "aws";
  const verdicts = useAccess(facts, policies, use, role);
  const refused = verdicts.filter((v) => v.decision.decision !== "allow");
  const attach = attachPolicyCommand(roleName, usePolicyArn(use, partition));
  return {
    status: worstStatus(verdicts.map((v) => STATUS_OF[v.decision.decision])),
    problems: actionProblems(verdicts),
    fixes: refused.map((v) => fixForAction(roleName, v, partition, boundaryArn, attach)),
    actions: Object.fromEntries(
      verdicts.map((v) => [
        v.action,
        {
          ...decisionDetails(v.decision),
          ...(v.sids.length ? { policySid: v.sids.join(", ") } : {}),
          explanation: explainAction(v),
        },
      ]),
    ),
    verdicts,
  };
}

/** What a further judgement adds: its part of the status, and what the finding shows of it. */
export interface FurtherJudgements {
  parts: Part[];
  details: { organizations?: OrganizationsDetails };
}

/**
 * Further per-role, per-use judgements combined into the status (worst of) beside the trust and the actions: the
 * ONE place another judgement of the same role for the same use joins. judgeUse (so tls-permissions and the four
 * other uses' rules) and volume-permissions (for the EBS use) combine what it returns, its problems in the message,
 * its fixes in the remediation and its details in the finding's. Today: the organisation's SCPs, from AWS's own
 * simulator (DESIGN.md "Organizations policies"), given the tool's own decision for each action (`decided`) so a
 * disagreement with AWS's EvalDecision is kept.
 */
export function furtherJudgements(
  facts: Facts,
  role: RoleFacts,
  use: InfrastructureUse,
  decided: readonly { action: string; decision: Decision }[],
  /** An SCP's denials that matter less for this role (see LesserDenial). */
  lesserDenial?: LesserDenial,
): FurtherJudgements {
  const arn = existingRole(role)?.arn ?? role.ref;
  const required = decided.map((v) => ({ action: v.action, decision: v.decision.decision }));
  const scp = organizationsPart(organizationsDecision(facts, arn, use.id, required), role.name, lesserDenial);
  return { parts: [scp], details: { organizations: scp.details } };
}

/** What the judgement found: the status, worst of its parts, and what a finding shows. */
export interface UseVerdict {
  status: Status;
  problems: string[];
  fixes: string[];
  trust: TrustDetails;
  actions?: Record<string, ActionDetails>;
  verdicts?: UseActionVerdict[];
  permissionsBoundary?: string;
  /** What AWS's simulator said of SCPs; absent when the permissions could not be read. */
  organizations?: OrganizationsDetails;
}

/** The evidence of a judgement every per-use finding shows: the trust, each action, the boundary, the SCPs. */
export function judgementDetails(verdict: UseVerdict) {
  return {
    trust: verdict.trust,
    ...(verdict.actions ? { actions: verdict.actions } : {}),
    ...(verdict.permissionsBoundary ? { permissionsBoundary: verdict.permissionsBoundary } : {}),
    ...(verdict.organizations ? { organizations: verdict.organizations } : {}),
  };
}

export type UseJudgement =
  | { kind: "deleted" }
  /** The role, or its permissions with a trust that does not already fail, could not be read: unknown. */
  | { kind: "unreadable"; what: string; error: FactError }
  | ({ kind: "judged" } & UseVerdict);

/** The role as ECS would use it for `use`: deleted, unreadable, or judged. */
export function judgeUse(facts: Facts, role: RoleFacts, use: InfrastructureUse): UseJudgement {
  if (!role.role.ok)
    return { kind: "unreadable", what: `the ${use.label} role ${role.name}`, error: role.role.error };
  const detail = existingRole(role);
  if (!detail) return { kind: "deleted" };
  const trust = judgeTrust(facts, detail, role.name);
  const parts: Part[] = [trust];
  const verdict: UseVerdict = { status: "pass", problems: [], fixes: [], trust: trust.details };
  const policies = rolePolicies(facts, role);
  if (!policies.ok) {
    // Unless the trust already fails, the permissions not read leave nothing proven: unknown, as for any read.
    if (trust.status !== "fail")
      return { kind: "unreadable", what: `the permissions of ${role.name}`, error: policies.error };
    parts.push({
      status: "pass",
      problems: [`its permissions could not be read (${policies.error.api}: ${policies.error.code})`],
      fixes: [],
    });
  } else {
    const actions = judgeActions(facts, role, policies.value, use, detail.permissionsBoundaryArn);
    verdict.actions = actions.actions;
    verdict.verdicts = actions.verdicts;
    if (detail.permissionsBoundaryArn) verdict.permissionsBoundary = detail.permissionsBoundaryArn;
    parts.push(actions);
    const further = furtherJudgements(facts, role, use, actions.verdicts);
    parts.push(...further.parts);
    if (further.details.organizations) verdict.organizations = further.details.organizations;
  }
  verdict.status = worstStatus(parts.map((p) => p.status));
  verdict.problems = parts.flatMap((p) => p.problems);
  verdict.fixes = [...new Set(parts.flatMap((p) => p.fixes))];
  return { kind: "judged", ...verdict };
}

/** The role's failed calls in the trail window in the use's documented sessions, by action (cloudtrail-errors judges them). */
export function useTrailFailures(facts: Facts, role: RoleFacts, use: InfrastructureUse) {
  const trail = facts.trail;
  if (!trail) return undefined;
  const byAction: Record<string, number> = {};
  const sessions: string[] = [];
  let failedCalls = 0;
  for (const name of use.sessionNames) {
    const session = trail.sessions[name];
    if (!session?.ok) continue;
    const failed = roleSession(session.value, role, trail.startTime).events.filter((e) => e.errorCode);
    if (failed.length) sessions.push(name);
    failedCalls += failed.length;
    for (const e of failed)
      byAction[`${e.eventName} ${e.errorCode}`] = (byAction[`${e.eventName} ${e.errorCode}`] ?? 0) + 1;
  }
  if (!failedCalls) return undefined;
  return { session: sessions.join(", "), since: trail.startTime, failedCalls, byAction };
}

export type TrailFailures = NonNullable<ReturnType<typeof useTrailFailures>>;

/** Which message says a status that is not a pass: refused for certain, not proven, or only at risk. */
export const refusal = (status: Status) =>
  status === "fail" ? "refused" : status === "unknown" ? "unproven" : "atRisk";
