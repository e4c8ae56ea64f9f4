import {
  decisionDetails,
  describeStatement,
  mayBeDenied,
  undecidedWhat,
} from "../../src/analysis/describe-decision.ts";
import { ECS_SERVICE_PRINCIPAL } from "../../src/analysis/ecs-requests.ts";
import { attachPolicyCommand, updateTrustCommand } from "../../src/analysis/fix-commands.ts";
import { existingRole, rolePolicies, usedForServiceConnectTls } from "../../src/analysis/role-policies.ts";
import { roleResource } from "../../src/analysis/role-subject.ts";
import { type TlsActionVerdict, tlsAccess } from "../../src/analysis/tls-access.ts";
import { TLS_POLICY_NAME, TLS_POLICY_VERSION, tlsPolicyArn } from "../../src/analysis/tls-requests.ts";
import { roleSession, TLS_SESSION_NAME } from "../../src/analysis/trail-links.ts";
import { ecsTrustDecision } from "../../src/analysis/trust-access.ts";
import { fixForAction } from "../../src/analysis/volume-access.ts";
import { parseArn, shortName } from "../../src/arn/arn.ts";
import type { RuleFinding } from "../../src/engine/finding.ts";
import { defineRule } from "../../src/engine/rule.ts";
import { type Status, worseOf } from "../../src/engine/status.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { Facts, RoleFacts } from "../../src/facts/types.ts";
import type { Decision } from "../../src/iam/types.ts";
import { ATTACH_TLS_POLICY } from "./snippets.ts";

/** A permission the tool cannot prove is not a pass, and not a mere warning: the gate must not open on it. */
const STATUS_OF: Record<Decision["decision"], Status> = {
  allow: "pass",
  conditional: "unknown",
  "explicit-deny": "fail",
  "implicit-deny": "fail",
};

function explain({ requirement: { action }, decision }: TlsActionVerdict): string {
  switch (decision.decision) {
    case "allow":
      return `${action} allowed by ${decision.statements.map(describeStatement).join(", ")}`;
    case "explicit-deny":
      return `${action} denied by ${decision.statements.map(describeStatement).join(", ")}`;
    case "conditional":
      return mayBeDenied(decision)
        ? `${action} may be denied, depending on ${undecidedWhat(decision)}`
        : `${action} allowed only if ECS's request meets ${undecidedWhat(decision)}`;
    default:
      return decision.boundary === "implicit-deny" && decision.statements.length === 0
        ? `${action} not allowed by the permissions boundary`
        : `${action} not allowed by any policy`;
  }
}

/** "a, b and 3 more": a role with no TLS permissions at all would otherwise list thirteen actions. */
function listed(items: string[]): string {
  return items.length <= 4
    ? items.join(", ")
    : `${items.slice(0, 3).join(", ")} and ${items.length - 3} more`;
}

/** Plain "not allowed" actions grouped in one clause each; denies and doubts each name their statement or condition. */
function actionProblems(verdicts: TlsActionVerdict[]): string[] {
  const bad = verdicts.filter((v) => v.decision.decision !== "allow");
  const grouped = new Map<string, string[]>();
  const others: string[] = [];
  for (const v of bad) {
    if (v.decision.decision !== "implicit-deny") {
      others.push(explain(v));
      continue;
    }
    const why = explain(v).slice(v.requirement.action.length + 1);
    grouped.set(why, [...(grouped.get(why) ?? []), v.requirement.action]);
  }
  return [...[...grouped].map(([why, actions]) => `${listed(actions)} ${why}`), ...others];
}

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

export default defineRule({
  meta: {
    id: "tls-permissions",
    title: "Service Connect TLS role is trusted by ECS and holds the TLS policy's actions",
    severity: "fail",
    concern: "deploying-services",
    headline: "Service Connect TLS certificates of the services that use {roles} cannot be issued or rotated",
    needs: ["roles"],
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
        "### Finding details\n\n" +
          "`services` (cluster/service names that use the role for TLS), `policy` and `policyVersion` (the managed " +
          "policy the actions come from), `trust` (the trust decision: `decision`, `statements`, `undecided`), " +
          "`actions` (per action: `decision`, `statements`, `undecided`, `policySid`: the managed policy's statement " +
          "that grants it, `explanation`), `permissionsBoundary` when the role has one, and on a finding that is not " +
          "a pass `trail` (`session`, `since`, `failedCalls`, `byAction`) when CloudTrail shows the role's " +
          "ECSServiceConnectForTLS calls failing. An unknown for an unreadable fact has `api`, `code`, `error`.",
      ].join("\n\n"),
      remediation:
        "Attach the AWS managed policy, restore the ECS trust policy, and remove any Deny or boundary gap on the " +
        "actions:\n\n" +
        `aws iam attach-role-policy --role-name NAME --policy-arn arn:aws:iam::aws:policy/service-role/${TLS_POLICY_NAME}`,
    },
    snippets: ATTACH_TLS_POLICY,
  },
  check(facts) {
    const findings: RuleFinding[] = [];
    for (const role of facts.roles) {
      if (!usedForServiceConnectTls(role)) continue;
      if (role.role.ok && !role.role.value.exists) continue; // role-exists reports it
      const resource = roleResource(facts, role);
      if (!role.role.ok) {
        findings.push(unknownFinding(resource, `the Service Connect TLS role ${role.name}`, role.role.error));
        continue;
      }
      const detail = existingRole(role);
      if (!detail) continue;
      const partition = parseArn(detail.arn)?.partition ?? "aws";
      const services = tlsServices(role);
      const problems: string[] = [];
      const fixes: string[] = [];
      let status: Status = "pass";
      const details: Record<string, unknown> = {
        services,
        policy: TLS_POLICY_NAME,
        policyVersion: TLS_POLICY_VERSION,
      };

      const trust = ecsTrustDecision(facts, detail);
      if (!trust.ok) {
        status = "unknown";
        problems.push(`its trust policy could not be read (${trust.error.code}: ${trust.error.message})`);
        details.trust = { api: trust.error.api, code: trust.error.code, error: trust.error.message };
      } else {
        const { decision } = trust.value;
        details.trust = decisionDetails(decision);
        if (decision.decision !== "allow") {
          // Same analysis and statuses as trust-policy, which reports this trust policy too: named here as the TLS
          // consequence, pointing there for the statements.
          const trustStatus =
            decision.decision === "conditional" ? (mayBeDenied(decision) ? "unknown" : "warn") : "fail";
          status = worseOf(status, trustStatus);
          problems.push(
            decision.decision === "explicit-deny"
              ? `its trust policy denies ${ECS_SERVICE_PRINCIPAL} sts:AssumeRole (see trust-policy)`
              : decision.decision === "implicit-deny"
                ? `its trust policy does not let ${ECS_SERVICE_PRINCIPAL} assume it (see trust-policy)`
                : `ECS may assume it only if its request meets the trust policy's ${undecidedWhat(decision)} (see trust-policy)`,
          );
          fixes.push(updateTrustCommand(role.name));
        }
      }

      const policies = rolePolicies(facts, role);
      if (!policies.ok) {
        if (status !== "fail") {
          findings.push(unknownFinding(resource, `the permissions of ${role.name}`, policies.error));
          continue;
        }
        problems.push(`its permissions could not be read (${policies.error.api}: ${policies.error.code})`);
      } else {
        const verdicts = tlsAccess(facts, policies.value);
        for (const v of verdicts) status = worseOf(status, STATUS_OF[v.decision.decision]);
        problems.push(...actionProblems(verdicts));
        details.actions = Object.fromEntries(
          verdicts.map((v) => [
            v.requirement.action,
            { ...decisionDetails(v.decision), policySid: v.requirement.sid, explanation: explain(v) },
          ]),
        );
        const boundaryArn = detail.permissionsBoundaryArn;
        if (boundaryArn) details.permissionsBoundary = boundaryArn;
        for (const v of verdicts) {
          if (v.decision.decision === "allow") continue;
          fixes.push(
            fixForAction(
              role.name,
              { action: v.requirement.action, decision: v.decision },
              partition,
              boundaryArn,
              attachPolicyCommand(role.name, tlsPolicyArn(partition)),
            ),
          );
        }
      }

      const usedBy = services.length ? ` (Service Connect TLS of ${listed(services)})` : "";
      if (status === "pass") {
        findings.push({
          status,
          resource: detail.arn,
          message: `${ECS_SERVICE_PRINCIPAL} may assume ${role.name}${usedBy}, and it may perform every action of ${TLS_POLICY_NAME} ${TLS_POLICY_VERSION} as ECS asks.`,
          details,
        });
        continue;
      }
      const trail = trailFailures(facts, role);
      if (trail) details.trail = trail;
      const consequence =
        status === "fail"
          ? " ECS cannot issue or rotate the Service Connect TLS certificates of the services that use it."
          : status === "unknown"
            ? " The tool cannot prove ECS may do it: if not, Service Connect TLS certificates cannot be issued or rotated."
            : "";
      const trailNote = trail
        ? ` CloudTrail shows ${trail.failedCalls} failed ${TLS_SESSION_NAME} call${trail.failedCalls === 1 ? "" : "s"} by it since ${trail.since} (see cloudtrail-errors).`
        : "";
      findings.push({
        status,
        resource: detail.arn,
        message: `${role.name}${usedBy}: ${problems.join("; ")}.${consequence}${trailNote}`,
        details,
        ...(fixes.length ? { remediation: [...new Set(fixes)].join("\n") } : {}),
      });
    }
    return findings;
  },
});
