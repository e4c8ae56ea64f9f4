import { ECS_SERVICE_PRINCIPAL } from "../../src/analysis/ecs-requests.ts";
import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import type { OrganizationsDetails } from "../../src/analysis/organizations-finding.ts";
import { usedForServiceConnectTls } from "../../src/analysis/role-policies.ts";
import { roleResource } from "../../src/analysis/role-subject.ts";
import { TLS_POLICY_NAME, TLS_POLICY_VERSION } from "../../src/analysis/tls-requests.ts";
import { usersOf } from "../../src/analysis/use-findings.ts";
import {
  type ActionDetails,
  judgementDetails,
  judgeUse,
  refusal,
  type TrailFailures,
  type TrustDetails,
  useTrailFailures,
} from "../../src/analysis/use-permissions.ts";
import { useReadGapFindings } from "../../src/analysis/use-read-gaps.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { Facts, RoleFacts } from "../../src/facts/types.ts";
import { messages } from "./messages.ts";
import { ATTACH_TLS_POLICY } from "./snippets.ts";

const TLS = infrastructureUse("service-connect-tls");

/** What was judged: the services that use the role, the trust, each action, the boundary and failed calls. */
interface TlsDetails {
  services: string[];
  policy: string;
  policyVersion: string;
  trust: TrustDetails;
  actions?: Record<string, ActionDetails>;
  permissionsBoundary?: string;
  /** What AWS's simulator said of SCPs; absent when the permissions could not be read. */
  organizations?: OrganizationsDetails;
  trail?: TrailFailures;
}

type Result = RuleResult<TlsDetails | UnknownDetails, typeof messages>;

/** The shared per-use judgement (use-permissions.ts), worded as tls-permissions has always said it. */
function judgeRole(facts: Facts, role: RoleFacts, resource: string): Result[] {
  const judged = judgeUse(facts, role, TLS);
  if (judged.kind === "deleted") return []; // role-exists reports it
  if (judged.kind === "unreadable") return [unknownFinding(resource, judged.what, judged.error)];
  const services = usersOf(role, TLS);
  const arn = existingArn(role, resource);
  const details: TlsDetails = {
    services,
    policy: TLS_POLICY_NAME,
    policyVersion: TLS_POLICY_VERSION,
    ...judgementDetails(judged),
  };
  const { status } = judged;
  if (status === "pass")
    return [{ status, resource: arn, messageId: "allowed", data: { role: role.name, services }, details }];
  const trail = useTrailFailures(facts, role, TLS);
  if (trail) details.trail = trail;
  return [
    {
      status,
      resource: arn,
      messageId: refusal(status),
      data: { role: role.name, services, problems: judged.problems, ...(trail ? { trail } : {}) },
      details,
      ...(judged.fixes.length ? { remediation: judged.fixes.join("\n") } : {}),
    },
  ];
}

const existingArn = (role: RoleFacts, fallback: string) =>
  role.role.ok && role.role.value.exists ? role.role.value.arn : fallback;

export default defineRule({
  meta: {
    id: "tls-permissions",
    title: "Service Connect TLS role is trusted by ECS and holds the TLS policy's actions",
    severity: "fail",
    concern: "deploying-services",
    headline: "Service Connect TLS certificates of the services that use {roles} cannot be issued or rotated",
    needs: ["roles", "ecs", "organizations"],
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
          "EBS volumes does not need these actions. ListClusters, or a cluster's ListServices/DescribeServices, failing " +
          "could hide such a role: that cluster is unknown here, naming the call and its error. Whether the AWS managed policy itself is attached is managed-policy's " +
          "advice.",
        "Organizations policies (SCPs) apply to the role too: unless the account is outside any organization or is its " +
          "management account, the role is simulated with iam:SimulatePrincipalPolicy for the TLS actions, on the " +
          "resources and with the context keys above, plus aws:PrincipalOrgID, on the account's own resources and list calls " +
          "aws:ResourceOrgID, and the role's tags as aws:PrincipalTag. AllowedByOrganizations false on any fails the role (AWS does " +
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
    return [
      ...facts.roles.flatMap((role): Result[] =>
        usedForServiceConnectTls(role) ? judgeRole(facts, role, roleResource(facts, role)) : [],
      ),
      // The services unread could name a TLS role never judged: unknown for that cluster.
      ...useReadGapFindings(facts, TLS),
    ];
  },
});
