import {
  absentKeyReasons,
  decisionDetails,
  describeStatement,
  mayBeDenied,
  undecidedWhat,
} from "../../src/analysis/describe-decision.ts";
import { existingRole, rolePolicies, usedForVolumes } from "../../src/analysis/role-policies.ts";
import { dependentsOf, dependentsSentence, roleResource } from "../../src/analysis/role-subject.ts";
import {
  type ActionVerdict,
  fixForAction,
  instanceDetachAccess,
  servesInstanceTasks,
  volumeAccess,
} from "../../src/analysis/volume-access.ts";
import { parseArn } from "../../src/arn/arn.ts";
import type { RuleFinding } from "../../src/engine/finding.ts";
import { defineRule } from "../../src/engine/rule.ts";
import { type Status, worstStatus } from "../../src/engine/status.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { Decision } from "../../src/iam/types.ts";
import { ATTACH_VOLUMES_POLICY } from "./snippets.ts";

/** One line per action: what allows it, what denies it, or that nothing allows it (and why, when a key is absent). */
function explain({ action, decision }: ActionVerdict): string {
  const why = absentKeyReasons(decision, action);
  const because = why.length ? ` (${why.join("; ")})` : "";
  switch (decision.decision) {
    case "allow":
      return `${action} allowed by ${decision.statements.map(describeStatement).join(", ")}`;
    case "explicit-deny":
      return `${action} denied by ${decision.statements.map(describeStatement).join(", ")}${because}`;
    case "conditional":
      return mayBeDenied(decision)
        ? `${action} may be denied, depending on ${undecidedWhat(decision)}`
        : `${action} allowed only if ECS's request meets ${undecidedWhat(decision)}`;
    default:
      return decision.boundary === "implicit-deny" && decision.statements.length === 0
        ? `${action} not allowed by the permissions boundary${because}`
        : `${action} not allowed by any policy${because}`;
  }
}

/** A decision the tool cannot prove is allowed is not a pass, and not a mere warning: the gate must not open on it. */
const STATUS_OF: Record<Decision["decision"], Status> = {
  allow: "pass",
  conditional: "unknown",
  "explicit-deny": "fail",
  "implicit-deny": "fail",
};

export default defineRule({
  meta: {
    id: "volume-permissions",
    title: "Role may detach, delete and describe ECS-managed volumes",
    severity: "fail",
    concern: "stopping-tasks",
    needs: ["roles"],
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
        "tasks, and is a warning for a role only seen with Fargate tasks or checked without ECS in scope.",
      remediation:
        "Attach the AWS managed policy, and remove any Deny or boundary gap that blocks the three actions:\n\n" +
        "aws iam attach-role-policy --role-name NAME --policy-arn " +
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
    },
    snippets: ATTACH_VOLUMES_POLICY,
  },
  check(facts) {
    const findings: RuleFinding[] = [];
    for (const role of facts.roles) {
      if (!usedForVolumes(role)) continue;
      if (role.role.ok && !role.role.value.exists) continue; // role-exists reports it
      const resource = roleResource(facts, role);
      const policies = rolePolicies(facts, role);
      if (!policies.ok) {
        findings.push(unknownFinding(resource, `the permissions of ${role.name}`, policies.error));
        continue;
      }
      const { arn } = policies.value;
      const partition = parseArn(arn)?.partition ?? "aws";
      const verdicts = volumeAccess(facts, policies.value);
      // DetachVolume on the instance matters for tasks on EC2 instances; for a role only known to serve Fargate
      // tasks (or whose tasks are not in scope) a gap there is a warning, not a verdict on the role.
      const instance = instanceDetachAccess(facts, policies.value);
      const onInstances = servesInstanceTasks(facts, arn);
      const instanceStatus: Status =
        instance.decision === "allow" ? "pass" : onInstances ? STATUS_OF[instance.decision] : "warn";
      const worst = worstStatus([...verdicts.map((v) => STATUS_OF[v.decision.decision]), instanceStatus]);
      const dependents = dependentsOf(role);
      const actions = Object.fromEntries(
        verdicts.map((v) => [v.action, { ...decisionDetails(v.decision), explanation: explain(v) }]),
      );
      const instanceDetail = {
        ...decisionDetails(instance),
        resource: "instance/*",
        servesTasksOnInstances: onInstances,
        explanation: explain({ action: "ec2:DetachVolume", decision: instance }).replace(
          "ec2:DetachVolume",
          "ec2:DetachVolume on the instance",
        ),
      };
      const bad = verdicts.filter((v) => v.decision.decision !== "allow");
      const instanceGap =
        instance.decision === "allow"
          ? []
          : [
              `${instanceDetail.explanation} (needed when a task's volume is attached to an EC2 instance${onInstances ? ": this role serves such tasks" : "; not for Fargate"})`,
            ];
      const boundaryArn = existingRole(role)?.permissionsBoundaryArn;
      findings.push({
        status: worst,
        resource: arn,
        message:
          worst === "pass"
            ? `${role.name} may detach, delete and describe ECS-managed volumes.`
            : `${role.name}: ${[...bad.map(explain), ...instanceGap].join("; ")}.${
                worst === "fail"
                  ? " Stopping its tasks will leave them in DEPROVISIONING and leak their volumes."
                  : worst === "unknown"
                    ? " The tool cannot prove ECS may do it: if not, stopping its tasks leaves them in DEPROVISIONING."
                    : ""
              }${dependentsSentence(dependents)}`,
        details: {
          actions,
          instanceDetach: instanceDetail,
          dependents,
          ...(boundaryArn ? { permissionsBoundary: boundaryArn } : {}),
        },
        ...(bad.length || instanceGap.length
          ? {
              remediation: [
                ...new Set([
                  ...bad.map((v) => fixForAction(role.name, v, partition, boundaryArn)),
                  ...(instanceGap.length
                    ? [
                        fixForAction(
                          role.name,
                          { action: "ec2:DetachVolume", decision: instance },
                          partition,
                          boundaryArn,
                        ),
                      ]
                    : []),
                ]),
              ].join("\n"),
            }
          : {}),
      });
    }
    return findings;
  },
});
