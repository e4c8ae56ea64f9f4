import { decisionDetails, mayBeDenied } from "../../src/analysis/describe-decision.ts";
import { ECS_SERVICE_PRINCIPAL } from "../../src/analysis/ecs-requests.ts";
import { attachPolicyCommand, updateTrustCommand } from "../../src/analysis/fix-commands.ts";
import { organizationsDecision, type RequiredAction } from "../../src/analysis/organizations-decision.ts";
import { type OrganizationsDetails, organizationsPart } from "../../src/analysis/organizations-finding.ts";
import {
  type ExistingRole,
  existingRole,
  type RolePolicies,
  rolePolicies,
  usedForServiceConnectTls,
} from "../../src/analysis/role-policies.ts";
import { roleResource } from "../../src/analysis/role-subject.ts";
import { tlsAccess } from "../../src/analysis/tls-access.ts";
import { TLS_POLICY_NAME, TLS_POLICY_VERSION, tlsPolicyArn } from "../../src/analysis/tls-requests.ts";
import { roleSession, TLS_SESSION_NAME } from "../../src/analysis/trail-links.ts";
import { ecsTrustDecision } from "../../src/analysis/trust-access.ts";
import { fixForAction } from "../../src/analysis/volume-access.ts";
import { parseArn, shortName } from "../../src/arn/arn.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { type Status, worstStatus } from "../../src/engine/status.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { Facts, RoleFacts } from "../../src/facts/types.ts";
import type { Decision } from "../../src/iam/types.ts";
import { actionProblems, explainAction, messages, trustProblem } from "./messages.ts";
import { ATTACH_TLS_POLICY } from "./snippets.ts";

/** A permission the tool cannot prove is not a pass, and not a mere warning: the gate must not open on it. */
const STATUS_OF: Record<Decision["decision"], Status> = {
  allow: "pass",
  conditional: "unknown",
  "explicit-deny": "fail",
  "implicit-deny": "fail",
};

/** The services whose Service Connect configuration names the role for TLS ("prod/web"). */
function tlsServices(role: RoleFacts): string[] {
  return [
    ...new Set(
      role.referencedBy.flatMap((r) =>
        r.kind === "service" && r.use === "service-connect-tls"
          ? [`${shortName(r.cluster)}/${r.service}`]
          : [],
      ),
    ),
  ].sort();
}

/** The role's failed ECSServiceConnectForTLS calls in the trail window, by action (cloudtrail-errors judges them). */
function trailFailures(facts: Facts, role: RoleFacts) {
  const session = facts.trail?.sessions[TLS_SESSION_NAME];
  if (!facts.trail || !session?.ok) return undefined;
  const failed = roleSession(session.value, role, facts.trail.startTime).events.filter((e) => e.errorCode);
  if (!failed.length) return undefined;
  const byAction: Record<string, number> = {};
  for (const e of failed)
    byAction[`${e.eventName} ${e.errorCode}`] = (byAction[`${e.eventName} ${e.errorCode}`] ?? 0) + 1;
  return { session: TLS_SESSION_NAME, since: facts.trail.startTime, failedCalls: failed.length, byAction };
}

type TrailFailures = NonNullable<ReturnType<typeof trailFailures>>;

/** What was judged: the services that use the role, the trust, each action, the boundary and failed calls. */
interface TlsDetails {
  services: string[];
  policy: string;
  policyVersion: string;
  trust: ReturnType<typeof decisionDetails> | { api: string; code: string; error: string };
  actions?: Record<string, ReturnType<typeof decisionDetails> & { policySid?: string; explanation: string }>;
  permissionsBoundary?: string;
  /** What AWS's simulator said of SCPs; absent when the permissions could not be read. */
  organizations?: OrganizationsDetails;
  trail?: TrailFailures;
}

type Result = RuleResult<TlsDetails | UnknownDetails, typeof messages>;

/** One part of the judgement: its status, what it found wrong, and the fixes. */
interface Part {
  status: Status;
  problems: string[];
  fixes: string[];
}

/** Same analysis and statuses as trust-policy, which reports this trust too: here it is named as the TLS consequence. */
function judgeTrust(
  facts: Facts,
  detail: ExistingRole,
  roleName: string,
): Part & { details: TlsDetails["trust"] } {
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

/** Every action of the TLS policy, as ECS asks for it; the fix aimed at what refused each. */
function judgeActions(
  facts: Facts,
  roleName: string,
  policies: RolePolicies,
  boundaryArn: string | undefined,
): Part & { actions: NonNullable<TlsDetails["actions"]>; required: RequiredAction[] } {
  const partition = parseArn(policies.arn)?.partition ?? "aws";
  const verdicts = tlsAccess(facts, policies);
  const refused = verdicts.filter((v) => v.decision.decision !== "allow");
  return {
    status: worstStatus(verdicts.map((v) => STATUS_OF[v.decision.decision])),
    problems: actionProblems(verdicts),
    fixes: refused.map((v) =>
      fixForAction(
        roleName,
        { action: v.requirement.action, decision: v.decision },
        partition,
        boundaryArn,
        attachPolicyCommand(roleName, tlsPolicyArn(partition)),
      ),
    ),
    actions: Object.fromEntries(
      verdicts.map((v) => [
        v.requirement.action,
        { ...decisionDetails(v.decision), policySid: v.requirement.sid, explanation: explainAction(v) },
      ]),
    ),
    required: verdicts.map((v) => ({ action: v.requirement.action, decision: v.decision.decision })),
  };
}

/** Which message says a status that is not a pass: refused for certain, not proven, or only at risk. */
const refusal = (status: Status) =>
  status === "fail" ? "refused" : status === "unknown" ? "unproven" : "atRisk";

function judgeRole(facts: Facts, role: RoleFacts, detail: ExistingRole, resource: string): Result {
  const services = tlsServices(role);
  const trust = judgeTrust(facts, detail, role.name);
  const details: TlsDetails = {
    services,
    policy: TLS_POLICY_NAME,
    policyVersion: TLS_POLICY_VERSION,
    trust: trust.details,
  };
  const parts: Part[] = [trust];
  const policies = rolePolicies(facts, role);
  if (!policies.ok) {
    // Unless the trust already fails, the permissions not read leave nothing proven: unknown, as for any read.
    if (trust.status !== "fail")
      return unknownFinding(resource, `the permissions of ${role.name}`, policies.error);
    parts.push({
      status: "pass",
      problems: [`its permissions could not be read (${policies.error.api}: ${policies.error.code})`],
      fixes: [],
    });
  } else {
    const actions = judgeActions(facts, role.name, policies.value, detail.permissionsBoundaryArn);
    details.actions = actions.actions;
    if (detail.permissionsBoundaryArn) details.permissionsBoundary = detail.permissionsBoundaryArn;
    parts.push(actions);
    const decision = organizationsDecision(facts, detail.arn, "service-connect-tls", actions.required);
    const scp = organizationsPart(decision, role.name);
    details.organizations = scp.details;
    parts.push(scp);
  }
  const status = worstStatus(parts.map((p) => p.status));
  if (status === "pass")
    return {
      status,
      resource: detail.arn,
      messageId: "allowed",
      data: { role: role.name, services },
      details,
    };
  const trail = trailFailures(facts, role);
  if (trail) details.trail = trail;
  const fixes = [...new Set(parts.flatMap((p) => p.fixes))];
  return {
    status,
    resource: detail.arn,
    messageId: refusal(status),
    data: {
      role: role.name,
      services,
      problems: parts.flatMap((p) => p.problems),
      ...(trail ? { trail } : {}),
    },
    details,
    ...(fixes.length ? { remediation: fixes.join("\n") } : {}),
  };
}

export default defineRule({
  meta: {
    id: "tls-permissions",
    title: "Service Connect TLS role is trusted by ECS and holds the TLS policy's actions",
    severity: "fail",
    concern: "deploying-services",
    headline: "Service Connect TLS certificates of the services that use {roles} cannot be issued or rotated",
    needs: ["roles", "organizations"],
    docs: {
      summary:
        `A role that a service's Service Connect configuration names for TLS can be assumed by ${ECS_SERVICE_PRINCIPAL}, ` +
        `and its effective permissions allow every action of ${TLS_POLICY_NAME} (${TLS_POLICY_VERSION}) in the context ECS uses.`,
      rationale: [
        "With Service Connect TLS, ECS assumes the infrastructure role named in the service's tls.roleArn to issue the " +
          "services' certificates from AWS Private CA and keep them in Secrets Manager secrets named ecs-sc!…, rotating " +
          "them as they age. A role ECS cannot assume, or one missing any of those actions, breaks certificate issuance " +
          "and rotation for every service that uses it. The actions are read from the managed policy document itself, " +
          "so the check follows the policy. Each is evaluated against the role's identity policies within its permissions " +
          "boundary (explicit Deny wins), as ECS asks: secrets ARN secret:ecs-sc!* in the role's account and Region, " +
          "with the owning-service tag ecs-sc where the policy conditions on it, aws:ResourceAccount (for the secrets) and " +
          "aws:PrincipalAccount the role's account, the request tags AmazonECSManaged=true and AmazonECSCreated=<a " +
          "service or task-set ARN> when a secret is created or tagged; Private CAs tagged AmazonECSManaged=true in the " +
          "role's Region but any account (a service may name a CA shared from another account, so a permission scoped to " +
          "the CA's account or aws:ResourceAccount is unknown); the " +
          "EndEntityCertificate/V1 template for IssueCertificate. A permission hinging on anything else is unknown, never " +
          "a pass. The trust is judged by the same analysis as trust-policy, which reports the same trust policy for " +
          "every role; this rule names the TLS consequence. Only roles named for TLS are checked: a role used only for " +
          "EBS volumes does not need these actions. Whether the AWS managed policy itself is attached is managed-policy's " +
          "advice.",
        "Organizations policies (SCPs) apply to the role too: unless the account is outside any organization or is its " +
          "management account, the role is simulated with iam:SimulatePrincipalPolicy for the TLS actions, on the " +
          "resources and with the context keys above. AllowedByOrganizations false on any fails the role (AWS does " +
          "not say which SCP: the organization's administrators can tell); the simulation denied or missing is " +
          "unknown. Resource control policies (RCPs) are not read.",
        "### Finding details\n\n" +
          "`services` (cluster/service names that use the role for TLS), `policy` and `policyVersion` (the managed " +
          "policy the actions come from), `trust` (the trust decision: `decision`, `statements`, `undecided`), " +
          "`actions` (per action: `decision`, `statements`, `undecided`, `policySid`: the managed policy's statement " +
          "that grants it, `explanation`), `permissionsBoundary` when the role has one, `organizations` (`decision`: " +
          "not-needed, allowed, denied or unknown; `deniedActions`; `disagreements` between AWS's EvalDecision and the " +
          "tool's, logged as a warning), and on a finding that is not " +
          "a pass `trail` (`session`, `since`, `failedCalls`, `byAction`) when CloudTrail shows the role's " +
          "ECSServiceConnectForTLS calls failing. An unknown for an unreadable fact has `api`, `code`, `error`.",
      ].join("\n\n"),
      remediation:
        "Attach the AWS managed policy, restore the ECS trust policy, and remove any Deny or boundary gap on the " +
        "actions:\n\n" +
        `aws iam attach-role-policy --role-name NAME --policy-arn arn:aws:iam::aws:policy/service-role/${TLS_POLICY_NAME}`,
    },
    snippets: ATTACH_TLS_POLICY,
    messages,
  },
  check(facts) {
    return facts.roles.flatMap((role): Result[] => {
      if (!usedForServiceConnectTls(role)) return [];
      if (role.role.ok && !role.role.value.exists) return []; // role-exists reports it
      const resource = roleResource(facts, role);
      if (!role.role.ok)
        return [unknownFinding(resource, `the Service Connect TLS role ${role.name}`, role.role.error)];
      const detail = existingRole(role);
      return detail ? [judgeRole(facts, role, detail, resource)] : [];
    });
  },
});
