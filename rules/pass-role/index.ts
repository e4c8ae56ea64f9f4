import { decisionDetails, describeStatement, undecidedWhat } from "../../src/analysis/describe-decision.ts";
import { grantPassRoleCommand } from "../../src/analysis/pass-role-policy.ts";
import { existingRole } from "../../src/analysis/role-policies.ts";
import { roleResource } from "../../src/analysis/role-subject.ts";
import { parseArn } from "../../src/arn/arn.ts";
import type { RuleFinding } from "../../src/engine/finding.ts";
import { defineRule } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { FactError, PrincipalFacts } from "../../src/facts/types.ts";
import { evaluateIdentity } from "../../src/iam/evaluate.ts";
import type { Decision, StatementRef } from "../../src/iam/types.ts";
import { type EvaluablePrincipal, type PrincipalPolicies, principalPolicies } from "./principal-policies.ts";
import { principalPassRoleFix } from "./remediation.ts";
import { passRoleRequest } from "./request.ts";
import { GRANT_PASS_ROLE } from "./snippets.ts";

const POLICY_READS = ["iam:GetPolicy", "iam:GetPolicyVersion"];
/** What the checker's credentials need to read each kind of principal's policies. */
const NEEDED = {
  role: [
    "iam:GetRole",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    ...POLICY_READS,
  ],
  user: [
    "iam:GetUser",
    "iam:ListUserPolicies",
    "iam:GetUserPolicy",
    "iam:ListAttachedUserPolicies",
    "iam:ListGroupsForUser",
    "iam:ListGroupPolicies",
    "iam:GetGroupPolicy",
    "iam:ListAttachedGroupPolicies",
    ...POLICY_READS,
  ],
};

/** The permissions to name for a read that failed: the user's set when a user or group call failed, else the role's. */
function neededFor(error: FactError, kind?: "role" | "user"): string[] {
  if (kind) return NEEDED[kind];
  if (/User|Group/.test(error.api)) return NEEDED.user;
  if (/Role/.test(error.api)) return NEEDED.role;
  return [...new Set([...NEEDED.role, ...NEEDED.user])];
}

function unreadable(
  resource: string,
  roleName: string,
  error: FactError,
  kind?: "role" | "user",
): RuleFinding {
  const base = unknownFinding(resource, `whether the deploying principal may pass ${roleName} to ECS`, error);
  const needed = neededFor(error, kind);
  return {
    ...base,
    message: `${base.message} To judge the principal, the checker's credentials need ${needed.join(", ")}${
      POLICY_READS.includes(error.api) || !base.details?.missingPermission
        ? ""
        : " (iam:GetAccountAuthorizationDetails can stand in for all but the last two; it was tried, and did not answer for the principal either)"
    }.`,
    details: { ...base.details, neededPermissions: needed },
  };
}

/** "user arn:…:user/ci/deployer" or "role arn:…:role/teams/deploy (the caller, as arn:aws:sts::…:assumed-role/…)". */
function principalLabel(p: EvaluablePrincipal): string {
  const via = p.source === "caller" ? (p.ref === p.arn ? " (the caller)" : ` (the caller, as ${p.ref})`) : "";
  return `${p.kind} ${p.arn}${via}`;
}

function describeHeld(policies: PrincipalPolicies, ref: StatementRef): string {
  const holder = policies.holders.get(ref.source);
  const of = holder && ref.source.kind !== "boundary" ? ` of ${holder.kind} ${holder.name}` : "";
  return `${describeStatement(ref)}${of}`;
}

/** Why the decision came out as it did, naming the statement or the boundary. */
function explain(policies: PrincipalPolicies, decision: Decision, identityAlone: Decision): string {
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

function judge(
  principal: EvaluablePrincipal,
  policies: PrincipalPolicies,
  roleArn: string,
  roleName: string,
): RuleFinding {
  const request = passRoleRequest(roleArn, policies);
  const set = { identity: policies.identity, ...(policies.boundary ? { boundary: policies.boundary } : {}) };
  const decision = evaluateIdentity(request, set);
  const identityAlone = policies.boundary
    ? evaluateIdentity(request, { identity: policies.identity })
    : decision;
  const why = explain(policies, decision, identityAlone);
  const who = principalLabel(principal);
  const details = {
    principal: {
      ref: principal.ref,
      arn: principal.arn,
      kind: principal.kind,
      source: principal.source,
      ...(principal.permissionsBoundaryArn ? { permissionsBoundary: principal.permissionsBoundaryArn } : {}),
    },
    passedToService: "ecs.amazonaws.com",
    ...decisionDetails(decision),
  };
  if (decision.decision === "allow")
    return {
      status: "pass",
      resource: roleArn,
      message: `${who} may pass ${roleName} to ECS: ${why}.`,
      details,
    };
  if (decision.decision === "conditional")
    return {
      status: "unknown",
      resource: roleArn,
      message: `${who} may pass ${roleName} to ECS only conditionally: ${why}. The gate does not open on a permission it cannot prove.`,
      details,
    };
  return {
    status: "fail",
    resource: roleArn,
    message:
      `${who} may not pass ${roleName} to ECS: ${why}. Its CreateService, UpdateService, RunTask and StartTask ` +
      "calls that name the role fail, and AWS lists a missing PassRole among the causes of tasks stuck in DEPROVISIONING.",
    details,
    remediation: principalPassRoleFix(policies, decision, identityAlone, roleArn),
  };
}

export default defineRule({
  meta: {
    id: "pass-role",
    title: "Deploying principal may pass the infrastructure role to ECS",
    severity: "fail",
    concern: "deploying-services",
    headline: "deploys that pass {roles} to ECS would fail",
    needs: ["roles", "principal"],
    offWhenStopping: true,
    docs: {
      summary:
        "The deploying principal (--principal ARN, default the caller) may iam:PassRole each infrastructure role in " +
        "scope with iam:PassedToService = ecs.amazonaws.com (identity policies within the permissions boundary; a " +
        "user's groups included).",
      rationale:
        "Whoever calls CreateService, UpdateService, RunTask or StartTask with ECS-managed volumes (or Service Connect " +
        "TLS) names the infrastructure role, and needs iam:PassRole on it, passed to ecs.amazonaws.com. Without it " +
        "deployments fail, and AWS documents a missing PassRole as a cause of tasks stuck in DEPROVISIONING. The check " +
        "evaluates the principal's own policies with the evaluator the other rules use: a role's inline and attached " +
        "policies, or a user's plus those of every group it is in, each managed policy at its default version, within " +
        "the permissions boundary, explicit Deny winning. The request is iam:PassRole on exactly the role's ARN with " +
        "iam:PassedToService = ecs.amazonaws.com and the principal's aws:PrincipalArn and aws:PrincipalAccount; a " +
        "condition on anything else (iam:AssociatedResourceArn, the source IP, MFA) makes the finding unknown. An STS " +
        "assumed-role ARN means its role, read with GetRole by name because the STS ARN has no path. The root user and " +
        "federated users are not evaluated (unknown, saying why). When the principal's own reads are denied, " +
        "GetAccountAuthorizationDetails stands in; when that cannot answer either, the finding is unknown, naming the " +
        "permissions the checker needs. The rule is about deploying: `stop` leaves it off " +
        "unless the config sets a level for it. Organizations SCPs and resource control policies are not read.",
      remediation:
        "Grant the principal the policy AWS documents, for the role's ARN (or remove the Deny or boundary gap the " +
        "finding names):\n\n" +
        `${grantPassRoleCommand({ kind: "role", name: "DEPLOYER" }, "arn:aws:iam::ACCOUNT:role/ecsInfrastructureRole")}

` +
        "(put-user-policy --user-name for an IAM user.)",
    },
    snippets: GRANT_PASS_ROLE,
  },
  check(facts) {
    const principal = facts.principal;
    if (!principal) return []; // not collected: the rule was off, or no role was in scope
    const findings: RuleFinding[] = [];
    const evaluable = principal.ok && principal.value.kind !== "unsupported" ? principal.value : undefined;
    const policies = evaluable ? principalPolicies(facts, evaluable) : undefined;
    for (const role of facts.roles) {
      if (role.role.ok && !role.role.value.exists) continue; // role-exists reports it
      const resource = roleResource(facts, role);
      if (!principal.ok) {
        findings.push(unreadable(resource, role.name, principal.error));
        continue;
      }
      const p: PrincipalFacts = principal.value;
      if (p.kind === "unsupported") {
        findings.push({
          status: "unknown",
          resource,
          message: `Cannot judge whether ${p.ref}${p.source === "caller" ? " (the caller)" : ""} may pass ${role.name} to ECS: ${p.reason}. Name the deploying IAM role or user with --principal.`,
          details: { principal: { ref: p.ref, kind: p.kind, source: p.source }, reason: p.reason },
        });
        continue;
      }
      if (!policies?.ok) {
        if (policies) findings.push(unreadable(resource, role.name, policies.error, p.kind));
        continue;
      }
      if (!role.role.ok) {
        findings.push(
          unknownFinding(resource, `whether ${p.arn} may pass ${role.name} to ECS`, role.role.error),
        );
        continue;
      }
      const detail = existingRole(role);
      if (!detail) continue;
      if (parseArn(detail.arn)?.account !== policies.value.account) {
        findings.push(
          unknownFinding(resource, `whether ${p.arn} may pass ${role.name} to ECS`, {
            api: "iam:GetRole",
            code: "CrossAccountRole",
            message: `the role is not in the principal's account ${policies.value.account}`,
          }),
        );
        continue;
      }
      findings.push(judge(p, policies.value, detail.arn, role.name));
    }
    return findings;
  },
});
