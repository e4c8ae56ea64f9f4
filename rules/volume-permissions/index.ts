import { decisionDetails } from "../../src/analysis/describe-decision.ts";
import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import type { OrganizationsDetails } from "../../src/analysis/organizations-finding.ts";
import {
  existingRole,
  type RolePolicies,
  rolePolicies,
  usedForVolumes,
} from "../../src/analysis/role-policies.ts";
import { type Dependents, dependentsOf, roleResource } from "../../src/analysis/role-subject.ts";
import { furtherJudgements, refusal, STATUS_OF } from "../../src/analysis/use-permissions.ts";
import {
  fixForAction,
  instanceDetachAccess,
  servesInstanceTasks,
  volumeAccess,
} from "../../src/analysis/volume-access.ts";
import { parseArn } from "../../src/arn/arn.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { type Status, worstStatus } from "../../src/engine/status.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { Facts, RoleFacts } from "../../src/facts/types.ts";
import { explainAction, instanceGap, messages } from "./messages.ts";
import { ATTACH_VOLUMES_POLICY } from "./snippets.ts";

const EBS = infrastructureUse("ebs");

type Result = RuleResult<VolumeDetails | UnknownDetails, typeof messages>;

/** The volume actions' decisions, the instance-side detach's, and who depends on the role. */
interface VolumeDetails {
  actions: Record<string, ReturnType<typeof decisionDetails> & { explanation: string }>;
  instanceDetach: ReturnType<typeof decisionDetails> & {
    resource: "instance/*";
    servesTasksOnInstances: boolean;
    explanation: string;
  };
  dependents: Dependents;
  permissionsBoundary?: string;
  /** What AWS's simulator said of SCPs (absent only for a role whose permissions could not be read). */
  organizations?: OrganizationsDetails;
}

/** An SCP's denial of the instance side of DetachVolume, for a role not known to serve tasks on EC2 instances. */
const INSTANCE_SIDE_DENIAL = {
  applies: (resources: readonly string[]) => resources.every((r) => /:instance\//.test(r)),
  status: "warn" as const,
  where: "on EC2 instances (needed when a task's volume is attached to an EC2 instance; not for Fargate)",
};

/**
 * DetachVolume on the instance matters for tasks on EC2 instances; for a role only known to serve Fargate tasks (or
 * whose tasks are not in scope) a gap there is a warning, not a verdict on the role.
 */
function instanceVerdict(facts: Facts, policies: RolePolicies) {
  const decision = instanceDetachAccess(facts, policies);
  const onInstances = servesInstanceTasks(facts, policies.arn);
  const status: Status =
    decision.decision === "allow" ? "pass" : onInstances ? STATUS_OF[decision.decision] : "warn";
  const explanation = explainAction("ec2:DetachVolume", decision, "ec2:DetachVolume on the instance");
  return { decision, onInstances, status, explanation };
}

function judgeRole(facts: Facts, role: RoleFacts, policies: RolePolicies): Result {
  const { arn } = policies;
  const partition = parseArn(arn)?.partition ?? "aws";
  const verdicts = volumeAccess(facts, policies);
  const instance = instanceVerdict(facts, policies);
  // The shared per-use judgement's one place for a further judgement of the same role and use joins here too. An
  // SCP denying DetachVolume on the instance alone weighs as the instance-side gap does: a warning off instances.
  const further = furtherJudgements(
    facts,
    role,
    EBS,
    verdicts,
    instance.onInstances ? undefined : INSTANCE_SIDE_DENIAL,
  );
  const status = worstStatus([
    ...verdicts.map((v) => STATUS_OF[v.decision.decision]),
    instance.status,
    ...further.parts.map((p) => p.status),
  ]);
  const bad = verdicts.filter((v) => v.decision.decision !== "allow");
  const instanceBad = instance.decision.decision !== "allow";
  const boundaryArn = existingRole(role)?.permissionsBoundaryArn;
  const details: VolumeDetails = {
    actions: Object.fromEntries(
      verdicts.map((v) => [
        v.action,
        { ...decisionDetails(v.decision), explanation: explainAction(v.action, v.decision) },
      ]),
    ),
    instanceDetach: {
      ...decisionDetails(instance.decision),
      resource: "instance/*",
      servesTasksOnInstances: instance.onInstances,
      explanation: instance.explanation,
    },
    dependents: dependentsOf(role),
    ...(boundaryArn ? { permissionsBoundary: boundaryArn } : {}),
    ...further.details,
  };
  const refused = [
    ...bad,
    ...(instanceBad ? [{ action: "ec2:DetachVolume" as const, decision: instance.decision }] : []),
  ];
  const fixes = [
    ...new Set([
      ...refused.map((v) => fixForAction(role.name, v, partition, boundaryArn)),
      ...further.parts.flatMap((p) => p.fixes),
    ]),
  ];
  const problems = [
    ...bad.map((v) => explainAction(v.action, v.decision)),
    ...(instanceBad ? [instanceGap(instance.explanation, instance.onInstances)] : []),
    ...further.parts.flatMap((p) => p.problems),
  ];
  return {
    status,
    resource: arn,
    ...(status === "pass"
      ? { messageId: "allowed" as const, data: { role: role.name } }
      : {
          messageId: refusal(status),
          data: { role: role.name, problems, dependents: details.dependents },
        }),
    details,
    ...(fixes.length ? { remediation: fixes.join("\n") } : {}),
  };
}

export default defineRule({
  meta: {
    id: "volume-permissions",
    title: "Role may detach, delete and describe ECS-managed volumes",
    severity: "fail",
    concern: "stopping-tasks",
    needs: ["roles", "organizations"],
    docs: {
      summary:
        "The role's effective permissions (identity policies within the permissions boundary, explicit Deny wins) allow " +
        "ec2:DetachVolume, ec2:DeleteVolume and ec2:DescribeVolumes on an ECS-managed volume.",
      rationale:
        "When a task stops, ECS detaches and deletes its EBS volume as the infrastructure role. The volume carries the tags " +
        "AmazonECSManaged=true and AmazonECSCreated=<task ARN>, so the check evaluates the role's policies with those " +
        "resource tags in the request. If any of the three actions is not allowed, tasks hang in DEPROVISIONING and the " +
        "volumes are never deleted. Each action's finding names the statement that allows or denies it. A condition on a " +
        "key the request cannot carry is decided as IAM decides it: ec2:DescribeVolumes names no resource, so it carries " +
        "no resource tags, and an Allow that needs aws:ResourceTag/AmazonECSManaged never grants it (a fail naming the " +
        "statement), while ...IfExists or a negated operator (StringNotEquals) on such a key holds. An Allow or a Deny " +
        "that hinges on something the tool cannot know (a condition on aws:SourceVpc, a resource narrower than any " +
        "ECS-managed volume) makes the finding unknown, naming it: the gate does not open on a permission it cannot prove. " +
        "For tasks whose volume is attached to an EC2 instance (EC2 launch type, EC2 capacity providers, Managed " +
        "Instances), ec2:DetachVolume is also authorised on the instance: a gap there fails a role known to serve such " +
        "tasks, and is a warning for a role only seen with Fargate tasks or checked without ECS in scope.\n\n" +
        "Organizations policies (SCPs) apply to the role too (only service-linked roles are exempt). Unless the account " +
        "is outside any organization (DescribeOrganization answers AWSOrganizationsNotInUseException) or is its " +
        "management account (which SCPs do not affect), the role is simulated with iam:SimulatePrincipalPolicy: the " +
        "three actions, on the resources and with the context keys the evaluator assumes, plus aws:PrincipalOrgID, on " +
        "the account's own volumes and on DescribeVolumes aws:ResourceOrgID (the organization's Id), and the role's tags as aws:PrincipalTag: " +
        "AWS's simulator takes an SCP condition key it is not given as absent, so a resource-perimeter SCP, or one " +
        "exempting roles by tag, would otherwise deny them. An SCP conditioned on a key the tool cannot know (user " +
        "tags ECS may propagate to the volume) is simulated as if it were absent. The instance side of DetachVolume is " +
        "simulated too. AllowedByOrganizations false on any of them fails the role (denied on the instance alone, it " +
        "weighs as the instance-side gap does: a warning for a role only seen with Fargate tasks); AWS reports an SCP's Deny as implicitDeny with no matched statement, so the " +
        "finding cannot name the SCP, and the organization's administrators can tell which. The simulation denied or " +
        "missing (a snapshot from before it was read) is unknown. Resource control policies (RCPs) are not read.\n\n" +
        "### Finding details\n\n" +
        "`actions` (per action: `decision`, `statements`, `undecided`, `explanation`), `instanceDetach`, `dependents`, " +
        "`permissionsBoundary` when the role has one, and `organizations`: `decision` (not-needed, allowed, denied, " +
        "unknown), `reason`, `deniedActions`, `api`/`code`/`error` for an unknown, and `disagreements` (action, " +
        "resources, AWS's EvalDecision and the tool's decision, where they differ with no MissingContextValues: " +
        "logged as a warning, the status unchanged).",
      remediation:
        "Attach the AWS managed policy, and remove any Deny or boundary gap that blocks the three actions. An SCP " +
        "that denies one cannot be changed from the account: ask the organization's administrators which SCP it " +
        "is, and to allow the action to the role:\n\n" +
        "aws iam attach-role-policy --role-name NAME --policy-arn " +
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
    },
    snippets: ATTACH_VOLUMES_POLICY,
    messages,
  },
  check(facts) {
    return facts.roles.flatMap((role): Result[] => {
      if (!usedForVolumes(role)) return [];
      if (role.role.ok && !role.role.value.exists) return []; // role-exists reports it
      const policies = rolePolicies(facts, role);
      if (!policies.ok)
        return [unknownFinding(roleResource(facts, role), `the permissions of ${role.name}`, policies.error)];
      return [judgeRole(facts, role, policies.value)];
    });
  },
});
