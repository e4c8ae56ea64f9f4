import { decisionDetails } from "../../src/analysis/describe-decision.ts";
import { grantPassRoleCommand } from "../../src/analysis/pass-role-policy.ts";
import { existingRole } from "../../src/analysis/role-policies.ts";
import { roleResource } from "../../src/analysis/role-subject.ts";
import { parseArn } from "../../src/arn/arn.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { FactError, PrincipalFacts } from "../../src/facts/types.ts";
import { evaluateIdentity } from "../../src/iam/evaluate.ts";
import { messages } from "./messages.ts";
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

type Result = RuleResult<PassRoleDetails | UnknownDetails, typeof messages>;

/** Who was judged, the request's service, the decision; or what could not be read, and the reads it needs. */
type PassRoleDetails =
  | (ReturnType<typeof decisionDetails> & {
      principal: { ref: string; arn: string; kind: string; source: string; permissionsBoundary?: string };
      passedToService: string;
    })
  | { principal: { ref: string; kind: string; source: string }; reason: string }
  | (UnknownDetails & { neededPermissions: string[] });

function unreadable(resource: string, role: string, error: FactError, kind?: "role" | "user"): Result {
  const { message: _common, ...base } = unknownFinding(
    resource,
    `whether the deploying principal may pass ${role} to ECS`,
    error,
  );
  const needed = neededFor(error, kind);
  // GetAccountAuthorizationDetails is tried in place of a denied principal read, not of the policy reads.
  const standInTried = !POLICY_READS.includes(error.api) && Boolean(base.details?.missingPermission);
  return {
    ...base,
    messageId: "unreadable",
    data: { role, error, needed, standInTried },
    details: { ...(base.details as UnknownDetails), neededPermissions: needed },
  };
}

/** The message of each decision: pass, fail, or unknown for a permission the tool cannot prove. */
const SAID = {
  allow: "allowed",
  conditional: "unproven",
  "explicit-deny": "refused",
  "implicit-deny": "refused",
} as const;
const STATUS = {
  allow: "pass",
  conditional: "unknown",
  "explicit-deny": "fail",
  "implicit-deny": "fail",
} as const;

function judge(
  principal: EvaluablePrincipal,
  policies: PrincipalPolicies,
  roleArn: string,
  role: string,
): Result {
  const request = passRoleRequest(roleArn, policies);
  const set = { identity: policies.identity, ...(policies.boundary ? { boundary: policies.boundary } : {}) };
  const decision = evaluateIdentity(request, set);
  const identityAlone = policies.boundary
    ? evaluateIdentity(request, { identity: policies.identity })
    : decision;
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
  const status = STATUS[decision.decision];
  return {
    status,
    resource: roleArn,
    messageId: SAID[decision.decision],
    data: { principal, role, policies, decision, identityAlone },
    details,
    ...(status === "fail"
      ? { remediation: principalPassRoleFix(policies, decision, identityAlone, roleArn) }
      : {}),
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
    messages,
  },
  check(facts) {
    const principal = facts.principal;
    if (!principal) return []; // not collected: the rule was off, or no role was in scope
    const findings: Result[] = [];
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
          messageId: "unsupported",
          data: { principal: p.ref, caller: p.source === "caller", role: role.name, reason: p.reason },
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
