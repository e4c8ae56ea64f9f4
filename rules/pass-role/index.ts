import { decisionDetails } from "../../src/analysis/describe-decision.ts";
import { grantPassRoleCommand } from "../../src/analysis/pass-role-policy.ts";
import { existingRole } from "../../src/analysis/role-policies.ts";
import { roleResource } from "../../src/analysis/role-subject.ts";
import { parseArn } from "../../src/arn/arn.ts";
import { isRootArn } from "../../src/arn/principal-arn.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import { deployingPrincipals } from "../../src/facts/principals.ts";
import type {
  DeployingPrincipal,
  Fact,
  FactError,
  Facts,
  PrincipalFacts,
  RoleFacts,
} from "../../src/facts/types.ts";
import { evaluateIdentity } from "../../src/iam/evaluate.ts";
import { deployersOf, serviceList, servicesNaming, unreadServices, whyNobody } from "./deployers.ts";
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
  | { principal?: { ref: string; origin: DeployingPrincipal["origin"] }; reason: string; flag: string }
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
  { resource, services }: { resource: string; services: string },
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
    resource,
    messageId: SAID[decision.decision],
    data: { principal, role, policies, decision, identityAlone, services },
    details,
    ...(status === "fail"
      ? { remediation: principalPassRoleFix(policies, decision, identityAlone, roleArn) }
      : {}),
  };
}

const HOW_TO_JUDGE =
  "ecs-preflight check --principal arn:aws:iam::ACCOUNT:role/DEPLOYER   # repeatable: every role or user that deploys";

/**
 * Nobody known to deploy with the role (standalone tasks only, no createdBy, a --role-only check): skipped. Never
 * for a read that failed: the role unread, or services that could not be listed (their creators may deploy it), is
 * unknown.
 */
function nobody(
  facts: Facts,
  role: RoleFacts,
  resource: string,
  principals: readonly DeployingPrincipal[],
): Result {
  if (!role.role.ok)
    return unknownFinding(resource, `whether who deploys may pass ${role.name} to ECS`, role.role.error);
  const unread = unreadServices(facts);
  if (unread) return unknownFinding(resource, `who deploys with ${role.name}`, unread);
  const why = whyNobody(facts, role, principals);
  return {
    status: "skipped",
    resource,
    messageId: "nobody",
    data: { role: role.name, why },
    details: { reason: why, flag: "--principal" },
    remediation: HOW_TO_JUDGE,
  };
}

interface Judging {
  role: RoleFacts;
  /** The services in scope that name the role: a created-by deployer's message lists only those. */
  naming: ReadonlySet<string>;
  resource: string;
  principal: DeployingPrincipal;
  policies: Fact<PrincipalPolicies> | undefined;
}

/** One deploying principal for one role: pass, fail, unknown, or skipped when it no longer exists. */
function judgeDeployer({ role, naming, resource, principal, policies }: Judging): Result {
  const services = serviceList(principal, naming);
  const fact = principal.facts;
  if (!fact.ok && fact.error.code === "NoSuchEntity")
    return {
      status: "skipped",
      resource,
      messageId: "gone",
      data: { role: role.name, principal: principal.ref, services },
      details: {
        principal: { ref: principal.ref, origin: principal.origin },
        reason: fact.error.message,
        flag: "--principal",
      },
      remediation: HOW_TO_JUDGE,
    };
  if (!fact.ok) return unreadable(resource, role.name, fact.error);
  const p: PrincipalFacts = fact.value;
  // The root user may pass any role of its own account (IAM policies do not limit it): nothing blocks deploying, but
  // nobody should. Another account's root user passes none of this account's roles.
  const roleAccount = parseArn(existingRole(role)?.arn ?? "")?.account;
  if (p.kind === "unsupported" && isRootArn(p.ref) && roleAccount !== parseArn(p.ref)?.account) {
    if (!role.role.ok)
      return unknownFinding(resource, `whether ${p.ref} may pass ${role.name} to ECS`, role.role.error);
    return unknownFinding(resource, `whether ${p.ref} may pass ${role.name} to ECS`, {
      api: "iam:GetRole",
      code: "CrossAccountRole",
      message: `the role is not in the root user's account ${parseArn(p.ref)?.account ?? p.ref}`,
    });
  }
  if (p.kind === "unsupported" && isRootArn(p.ref))
    return {
      status: "warn",
      resource,
      messageId: "root",
      data: { principal: p.ref, role: role.name, services },
      details: { principal: { ref: p.ref, kind: p.kind, source: p.source }, reason: p.reason },
      remediation: `${grantPassRoleCommand({ kind: "role", name: "DEPLOYER" }, existingRole(role)?.arn ?? resource)}\n${HOW_TO_JUDGE}`,
    };
  if (p.kind === "unsupported")
    return {
      status: "unknown",
      resource,
      messageId: "unsupported",
      data: { principal: p.ref, caller: p.source === "caller", role: role.name, reason: p.reason },
      details: { principal: { ref: p.ref, kind: p.kind, source: p.source }, reason: p.reason },
    };
  if (!policies?.ok) return unreadable(resource, role.name, policies?.error ?? MISSING, p.kind);
  if (!role.role.ok)
    return unknownFinding(resource, `whether ${p.arn} may pass ${role.name} to ECS`, role.role.error);
  const detail = existingRole(role);
  if (parseArn(detail?.arn ?? "")?.account !== policies.value.account)
    return unknownFinding(resource, `whether ${p.arn} may pass ${role.name} to ECS`, {
      api: "iam:GetRole",
      code: "CrossAccountRole",
      message: `the role is not in the principal's account ${policies.value.account}`,
    });
  return judge(p, policies.value, detail?.arn ?? resource, role.name, { resource, services });
}

/** Never reached: an evaluable principal always has its policies computed. */
const MISSING: FactError = {
  api: "iam:GetRole",
  code: "NotCollected",
  message: "the principal's policies were not read",
};

export default defineRule({
  meta: {
    id: "pass-role",
    title: "Who deploys may pass the infrastructure role to ECS",
    severity: "fail",
    concern: "deploying-services",
    headline: "deploys that pass {roles} to ECS would fail",
    needs: ["roles", "principals"],
    offWhenStopping: true,
    docs: {
      summary:
        "Each principal that deploys with an infrastructure role in scope may iam:PassRole it with " +
        "iam:PassedToService = ecs.amazonaws.com (identity policies within the permissions boundary; a user's groups " +
        "included). Who deploys: by default the createdBy of the services in scope that name the role; --principal ARN " +
        "(repeatable) replaces that set. The checker itself is judged only when named.",
      rationale:
        "Whoever calls CreateService, UpdateService, RunTask or StartTask with ECS-managed volumes (or Service Connect " +
        "TLS) names the infrastructure role, and needs iam:PassRole on it, passed to ecs.amazonaws.com. Without it " +
        "deployments fail, and AWS documents a missing PassRole as a cause of tasks stuck in DEPROVISIONING. Stopping " +
        "tasks never needs PassRole, so the identity running the check (often a read-only auditor) is not who is " +
        "judged: by default the rule judges the distinct `createdBy` of the services in scope whose configuration names " +
        "the role (DescribeServices returns it: no extra call), each for the roles its services name. A createdBy role " +
        "ARN may come without the role's path: the role is read with GetRole by name, and its real ARN (with the path) " +
        "is what its policies see. `--principal ARN` (repeatable) replaces that set, and each named principal is judged " +
        "for every role in scope; name the checker's own ARN to judge the checker. When nobody is known to deploy with " +
        "a role (only standalone tasks, capacity providers or Express services name it, its services do not say who " +
        "created them, or a --role-only check read no ECS), or a principal no longer exists (NoSuchEntity), the " +
        "finding is skipped, saying why and naming --principal: never fail or unknown for that reason (but when the " +
        "role, the cluster list or a cluster's services could not be read, who deploys is not known: unknown). With several " +
        "deployers for one role, each has its own finding, whose resource is `ROLE_ARN (deployer PRINCIPAL_ARN)`. In a " +
        "run over targets (--accounts, --all-accounts), each target judges its own services' creators; a --principal " +
        "is judged in the targets of its account, and pass-role is off in a target where no --principal is of its " +
        "account. The check evaluates the principal's own policies with the evaluator the other rules use: a role's " +
        "inline and attached policies, or a user's plus those of every group it is in, each managed policy at its " +
        "default version, within the permissions boundary, explicit Deny winning. The request is iam:PassRole on " +
        "exactly the role's ARN with iam:PassedToService = ecs.amazonaws.com and the principal's aws:PrincipalArn and " +
        "aws:PrincipalAccount; a condition on anything else (iam:AssociatedResourceArn, the source IP, MFA) makes the " +
        "finding unknown. An STS assumed-role ARN means its role, read with GetRole by name because the STS ARN has no " +
        "path. The root user may pass any role of its own account, since IAM policies do not limit it: a warning that " +
        "deployments should not run as root (another account's root user is unknown, as another account's role is). Federated users are not evaluated (unknown, saying why). When a principal's own reads " +
        "are denied, GetAccountAuthorizationDetails stands in; when that cannot answer either, the finding is unknown, " +
        "naming the permissions the checker needs. The fix printed is for the deployer, never the checker. A snapshot of " +
        "an earlier version holds the caller it judged by default: that checker is not judged either (skipped, saying " +
        "to take the snapshot again). The rule is " +
        "about deploying: `stop` leaves it off unless the config sets a level for it. Organizations SCPs and resource " +
        "control policies are not read.",
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
    const principals = deployingPrincipals(facts);
    if (!principals) return []; // not collected: the rule was off, or no role was in scope
    const policies = new Map<DeployingPrincipal, Fact<PrincipalPolicies> | undefined>();
    const policiesOf = (p: DeployingPrincipal) => {
      if (!policies.has(p))
        policies.set(
          p,
          p.facts.ok && p.facts.value.kind !== "unsupported"
            ? principalPolicies(facts, p.facts.value)
            : undefined,
        );
      return policies.get(p);
    };
    return facts.roles.flatMap((role) => {
      if (role.role.ok && !role.role.value.exists) return []; // role-exists reports it
      const resource = roleResource(facts, role);
      const deployers = deployersOf(facts, role, principals);
      const naming = servicesNaming(facts, role);
      if (!deployers.length) return [nobody(facts, role, resource, principals)];
      // One finding per resource: with several deployers, each is named in its finding's resource.
      const of = (p: DeployingPrincipal) =>
        deployers.length > 1 ? `${resource} (deployer ${p.ref})` : resource;
      return deployers.map((p) =>
        judgeDeployer({ role, naming, resource: of(p), principal: p, policies: policiesOf(p) }),
      );
    });
  },
});
