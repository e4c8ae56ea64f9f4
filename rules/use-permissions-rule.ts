import { ECS_SERVICE_PRINCIPAL } from "../src/analysis/ecs-requests.ts";
import { recreateRoleCommands } from "../src/analysis/fix-commands.ts";
import {
  type InfrastructureUse,
  infrastructureUse,
  useOfReference,
  usePolicyArn,
} from "../src/analysis/infrastructure-uses.ts";
import type { OrganizationsDetails } from "../src/analysis/organizations-finding.ts";
import { roleResource } from "../src/analysis/role-subject.ts";
import { listed, usedFor, usersOf } from "../src/analysis/use-findings.ts";
import {
  type ActionDetails,
  judgementDetails,
  judgeUse,
  refusal,
  type TrailFailures,
  type TrustDetails,
  useTrailFailures,
} from "../src/analysis/use-permissions.ts";
import { useReadGapFindings } from "../src/analysis/use-read-gaps.ts";
import { parseArn, rolePathOf } from "../src/arn/arn.ts";
import type { UnknownDetails } from "../src/engine/finding.ts";
import { defineRule, type RemediationSnippets, type Rule, type RuleResult } from "../src/engine/rule.ts";
import { unknownFinding } from "../src/engine/unknown.ts";
import type { Facts, InfrastructureUseId, RoleFacts } from "../src/facts/types.ts";

/**
 * The permission rule of one use whose AWS managed policy is the statement of record (Managed Instances, Express Mode,
 * VPC Lattice, blue/green load balancers): the shared per-use judgement (src/analysis/use-permissions.ts), its
 * messages and its snippets, parametrised by the use. Each rule folder gives only what is its own: its id, title,
 * headline and what ECS does with the role.
 */

export interface Refused {
  role: string;
  users: readonly string[];
  problems: readonly string[];
  trail?: { failedCalls: number; session: string; since: string };
}

function trailNote(trail: Refused["trail"]): string {
  if (!trail) return "";
  const calls = `${trail.failedCalls} failed ${trail.session} call${trail.failedCalls === 1 ? "" : "s"}`;
  return ` CloudTrail shows ${calls} by it since ${trail.since} (see cloudtrail-errors).`;
}

/** A per-use rule's wording, by message id (the status decides which). */
export function usePermissionMessages(use: InfrastructureUse) {
  const said = (d: Refused, consequence: string) =>
    `${d.role}${usedFor(use, d.users)}: ${d.problems.join("; ")}.${consequence}${trailNote(d.trail)}`;
  return {
    allowed: (d: { role: string; users: readonly string[] }) =>
      `${ECS_SERVICE_PRINCIPAL} may assume ${d.role}${usedFor(use, d.users)}, and it may perform every action of ${use.policy.name} ${use.policy.version} as ECS asks.`,
    refused: (d: Refused) => said(d, ` ECS cannot use it for ${use.label}: ${use.breaks}.`),
    unproven: (d: Refused) => said(d, ` The tool cannot prove ECS may do it: if not, ${use.breaks}.`),
    atRisk: (d: Refused) => said(d, ""),
    deleted: (d: { role: string; users: readonly string[] }) =>
      `${d.role}${usedFor(use, d.users)} does not exist: ${use.breaks}.`,
  };
}

/** The use's managed policy attached (mind its path: only Express, Volumes and TLS sit under /service-role/). */
export function attachUsePolicySnippets(use: InfrastructureUse): RemediationSnippets {
  const { name, path } = use.policy;
  const resource = `ecs_infrastructure_${use.id.replaceAll("-", "_")}`;
  return {
    awsCli: `aws iam attach-role-policy --role-name NAME --policy-arn ${usePolicyArn(use)}`,
    cloudFormation: `EcsInfrastructureRole:
  Type: AWS::IAM::Role
  Properties:
    ManagedPolicyArns:
      - !Sub arn:\${AWS::Partition}:iam::aws:policy${path}${name}`,
    terraform: `resource "aws_iam_role_policy_attachment" "${resource}" {
  role       = "NAME" # or aws_iam_role.ecs_infrastructure.name
  policy_arn = "arn:\${data.aws_partition.current.partition}:iam::aws:policy${path}${name}"
}

data "aws_partition" "current" {}`,
  };
}

/** What a per-use finding shows. */
export interface UsePermissionDetails {
  use: InfrastructureUseId;
  users: string[];
  policy: string;
  policyVersion: string;
  trust?: TrustDetails;
  actions?: Record<string, ActionDetails>;
  permissionsBoundary?: string;
  /** What AWS's simulator said of SCPs; absent when the permissions could not be read. */
  organizations?: OrganizationsDetails;
  trail?: TrailFailures;
}

type Messages = ReturnType<typeof usePermissionMessages>;
type Result = RuleResult<UsePermissionDetails | UnknownDetails, Messages>;

/** One role's finding for the use: deleted (fail), unreadable (unknown), or the judgement worded. */
function useFinding(facts: Facts, role: RoleFacts, use: InfrastructureUse): Result {
  const resource = roleResource(facts, role);
  const judged = judgeUse(facts, role, use);
  const users = usersOf(role, use);
  const base = { use: use.id, users, policy: use.policy.name, policyVersion: use.policy.version };
  if (judged.kind === "unreadable") return unknownFinding(resource, judged.what, judged.error);
  if (judged.kind === "deleted") {
    const partition = parseArn(resource)?.partition ?? "aws";
    return {
      status: "fail",
      resource,
      messageId: "deleted",
      data: { role: role.name, users },
      details: base,
      // Under the path the use names it with: ECS looks the role up by that ARN.
      remediation: recreateRoleCommands(role.name, rolePathOf(role.ref), partition, [
        usePolicyArn(use, partition),
      ]),
    };
  }
  const details: UsePermissionDetails = {
    ...base,
    ...judgementDetails(judged),
  };
  const { status } = judged;
  if (status === "pass")
    return { status, resource, messageId: "allowed", data: { role: role.name, users }, details };
  const trail = useTrailFailures(facts, role, use);
  if (trail) details.trail = trail;
  return {
    status,
    resource,
    messageId: refusal(status),
    data: { role: role.name, users, problems: judged.problems, ...(trail ? { trail } : {}) },
    details,
    ...(judged.fixes.length ? { remediation: judged.fixes.join("\n") } : {}),
  };
}

export interface UseRuleSpec {
  id: string;
  use: InfrastructureUseId;
  title: string;
  /** What a fail means, for the headline ({roles} becomes the failing roles' names). */
  headline: string;
  /** What ECS does with the role for this use and what it sends: the rationale's first paragraph. */
  whatEcsDoes: string;
  messages: Messages;
  snippets: RemediationSnippets;
}

/** The shared paragraph of every per-use rule's rationale: how the permissions are judged. */
function howJudged(use: InfrastructureUse): string {
  const sessions = use.sessionNames.length
    ? `CloudTrail sessions ${listed(use.sessionNames.map((s) => `\`${s}\``))}`
    : "no CloudTrail session name (AWS documents none for this use)";
  return [
    `The actions are read from ${use.policy.name} (${use.policy.version}, shipped under fixtures/policies/) itself, every ` +
      "resource each statement grants it on, so a new policy version changes what is required. Each is evaluated " +
      "against the role's identity policies within its permissions boundary (explicit Deny wins), in the context ECS " +
      "brings (above): a permission hinging on anything else is unknown, never a pass, and an Allow or Deny the " +
      "evaluator cannot decide is unknown. Which calls carry tags of their own is stated per action (src/analysis/" +
      "call-tags.ts, from the Service Authorization Reference's condition keys and the API's request shape): a call " +
      "that carries none (iam:CreateServiceLinkedRole, ec2:CreateLaunchTemplateVersion, PutScalingPolicy, " +
      "AddListenerCertificates, every Describe, Delete, Modify, Register and Deregister…) has its aws:RequestTag and " +
      "aws:TagKeys absent, so an Allow conditioned on them does not allow it; an action the table does not state stops " +
      "the policy from being used. A creating EC2 call's tags reach only what it creates: the subnet, security group, " +
      "AMI or launch template a RunInstances or CreateFleet names, and the group an Authorize adds a rule to, are " +
      "judged untagged. A call ECS also makes later without tags (RegisterScalableTarget updating a target) is judged " +
      "both ways. An action is required only on the " +
      "resource types it authorises, even where the statement lists more. IAM's own calls " +
      "(iam:CreateServiceLinkedRole; not iam:PassRole, which is authorised inside the call that passes the role) are " +
      "sent to IAM's endpoint, so their aws:RequestedRegion is us-east-1 (cn-north-1 in aws-cn, us-gov-west-1 in " +
      "aws-us-gov), not the role's Region: a Region-lock Deny that does not exempt iam:* fails them. The trust is judged by the same analysis as trust-policy. A role that " +
      "cannot be read is unknown; a role that does not exist fails, naming what breaks. Only roles ECS names for " +
      `this use (${use.namedBy}) are checked, and a read that could hide one (ListClusters, or a cluster's ` +
      `${use.id === "managed-instances" ? "DescribeCapacityProviders" : use.id === "express" ? "services or DescribeExpressGatewayService" : "ListServices/DescribeServices"}) ` +
      `failed is unknown for that cluster, naming the call and its error; whether the managed policy itself is attached is managed-policy's advice. ` +
      `The use has ${sessions}.`,
    "Organizations policies (SCPs) apply to the role too: unless the account is outside any organization or is its " +
      "management account, the role is simulated with iam:SimulatePrincipalPolicy for the use's actions, on the " +
      "resources and with the context keys above, plus aws:PrincipalOrgID, on the account's own resources and list calls " +
      "aws:ResourceOrgID, and the role's tags as aws:PrincipalTag. AllowedByOrganizations false on any fails the role (AWS does not " +
      "say which SCP: the organization's administrators can tell); the simulation denied or missing is unknown. " +
      "Resource control policies (RCPs) are not read.",
    "### Finding details\n\n" +
      "`use`, `users` (cluster/name of what names the role for the use), `policy` and `policyVersion`, `trust` (the " +
      "trust decision), `actions` (per action: `decision`, `statements`, `undecided`, `policySid`, `explanation`), " +
      "`permissionsBoundary` when the role has one, `organizations` (`decision`: not-needed, allowed, denied, " +
      "unknown; `deniedActions`; `disagreements` between AWS's EvalDecision and the tool's), and on a finding that " +
      "is not a pass `trail` (`session`, `since`, " +
      "`failedCalls`, `byAction`) when CloudTrail shows the role's calls in the use's sessions failing. An unknown for " +
      "an unreadable fact has `api`, `code`, `error`.",
  ].join("\n\n");
}

/** Defines the permission rule of one use. */
export function usePermissionsRule(spec: UseRuleSpec): Rule<UsePermissionDetails> {
  const use = infrastructureUse(spec.use);
  return defineRule({
    meta: {
      id: spec.id,
      title: spec.title,
      severity: "fail",
      concern: "deploying-services",
      headline: spec.headline,
      needs: ["roles", "ecs", "organizations"],
      docs: {
        summary:
          `A role that ${use.namedBy} names can be assumed by ${ECS_SERVICE_PRINCIPAL}, and its effective permissions ` +
          `allow every action of ${use.policy.name} (${use.policy.version}) in the context ECS uses.`,
        rationale: [spec.whatEcsDoes, howJudged(use)].join("\n\n"),
        remediation:
          "Attach the AWS managed policy, restore the ECS trust policy, and remove any Deny or boundary gap on the " +
          `actions:\n\naws iam attach-role-policy --role-name NAME --policy-arn ${usePolicyArn(use)}`,
      },
      snippets: spec.snippets,
      messages: spec.messages,
    },
    check(facts): Result[] {
      return [
        ...facts.roles.flatMap((role) =>
          role.referencedBy.some((r) => useOfReference(r) === use.id) ? [useFinding(facts, role, use)] : [],
        ),
        // A read that could hide a role of this use: unknown for it, never silence.
        ...useReadGapFindings(facts, use),
      ];
    },
  });
}
