import { roleResource } from "../../src/analysis/role-subject.ts";
import { inUse, onlyIdleServices, type RoleUsage, roleUsage } from "../../src/analysis/role-usage.ts";
import { shortName } from "../../src/arn/arn.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import type { Facts, RoleFacts } from "../../src/facts/types.ts";
import { messages } from "./messages.ts";
import { WAIT_FOR_USERS } from "./snippets.ts";

/** Who uses the role (tasks, services, capacity providers, Express services), whether that is known, and what could not be read. */
interface UseDetails {
  roleArn: string;
  inUse: boolean | null;
  beforeRoleChange: boolean;
  tasks: RoleUsage["tasks"];
  services: RoleUsage["services"];
  capacityProviders: RoleUsage["capacityProviders"];
  expressServices: RoleUsage["expressServices"];
  unread: { resource: string; api: string; code: string; error: string }[];
}

function details(usage: RoleUsage, roleArn: string, beforeRoleChange: boolean): UseDetails {
  return {
    roleArn,
    inUse: inUse(usage) ?? null,
    beforeRoleChange,
    tasks: usage.tasks,
    services: usage.services,
    capacityProviders: usage.capacityProviders,
    expressServices: usage.expressServices,
    unread: usage.unread.map((u) => ({
      resource: u.resource,
      api: u.error.api,
      code: u.error.code,
      error: u.error.message,
    })),
  };
}

type Result = RuleResult<UseDetails, typeof messages>;

function waitCommand(role: RoleFacts, usage: RoleUsage): string {
  const clusters = [
    ...new Set(
      [...usage.tasks, ...usage.services, ...usage.capacityProviders, ...usage.expressServices].map((u) =>
        shortName(u.clusterArn),
      ),
    ),
  ];
  const services = [
    ...new Map(usage.services.filter((s) => s.status === "ACTIVE").map((s) => [s.arn, s])).values(),
  ];
  const providers = usage.capacityProviders.filter((c) => c.status !== "DEPROVISIONING");
  const express = usage.expressServices.filter((e) => e.status === "ACTIVE");
  const deletes = [
    ...services.map(
      (s) => `aws ecs delete-service --cluster ${shortName(s.clusterArn)} --service ${s.name} --force`,
    ),
    ...providers.map(
      (c) =>
        `aws ecs delete-capacity-provider --cluster ${shortName(c.clusterArn)} --capacity-provider ${c.name}`,
    ),
    ...express.map((e) => `aws ecs delete-express-gateway-service --service-arn ${e.arn}`),
  ];
  return [
    ...(deletes.length
      ? [
          "# These still name the role and need it: delete them (or move them to another role) first, e.g.",
          ...deletes,
        ]
      : []),
    "# Then wait until nothing uses the role (exit 0), and only then change or delete it:",
    `ecs-preflight wait --role ${role.name}${clusters.map((c) => ` --cluster ${c}`).join("")}`,
  ].join("\n");
}

function roleFinding(facts: Facts, role: RoleFacts, beforeRoleChange: boolean): Result | undefined {
  const usage = roleUsage(facts, role.ref);
  // A --role-only check did not read ECS: nothing is in scope to list (before a change, the collector reads ECS).
  if (!usage.ecsRead && !beforeRoleChange) return undefined;
  const resource = roleResource(facts, role);
  const used = inUse(usage);
  const judged = { role: role.name, usage };
  const base = { resource, details: details(usage, resource, beforeRoleChange) };
  if (used === true && beforeRoleChange && onlyIdleServices(usage))
    return {
      status: "warn" as const,
      ...base,
      messageId: "idleServices",
      data: judged,
      remediation: waitCommand(role, usage),
    };
  if (used === true)
    return beforeRoleChange
      ? {
          status: "fail" as const,
          ...base,
          messageId: "stillInUse",
          data: judged,
          remediation: waitCommand(role, usage),
        }
      : { status: "pass" as const, ...base, messageId: "listed", data: judged };
  const narrowed = [
    ...facts.scope.services.map((s) => `--service ${shortName(s)}`),
    ...facts.scope.tasks.map((t) => `--task ${shortName(t)}`),
  ];
  if (used === false && beforeRoleChange && narrowed.length)
    return {
      status: "unknown" as const,
      ...base,
      messageId: "narrowed",
      data: { role: role.name, flags: narrowed },
    };
  if (used === false) {
    const clusters = facts.ecs?.clusters.ok ? facts.ecs.clusters.value.length : 0;
    return {
      status: "pass" as const,
      ...base,
      messageId: "unused",
      data: {
        role: role.name,
        clusters,
        beforeRoleChange,
        region: facts.region,
        scoped: facts.scope.clusters,
      },
    };
  }
  return { status: "unknown" as const, ...base, messageId: "unreadUse", data: judged };
}

export default defineRule({
  meta: {
    id: "role-in-use",
    title: "Who still uses the infrastructure role",
    severity: "fail",
    concern: "changing-the-role",
    requiredBeforeRoleChange: true,
    headline: "changing or deleting {roles} now breaks what uses it{uses}",
    needs: ["roles", "ecs"],
    docs: {
      summary:
        "Lists, per infrastructure role, everything that still uses it: the tasks not yet STOPPED that reference it through an EBS attachment, the ACTIVE or DRAINING services that name it (EBS volumes, Service Connect TLS, VPC Lattice, blue/green load balancers), the Managed Instances capacity providers and the Express services that are not INACTIVE; with check --before-role-change it fails while any remain.",
      rationale:
        "ECS needs the infrastructure role until each task that uses it reaches STOPPED: it detaches and deletes the task's " +
        "EBS volume with the role while the task is STOPPING and DEPROVISIONING. A role changed or deleted before then " +
        "strands those volumes, and the tasks hang in DEPROVISIONING. This is how one `terraform apply` that deletes a " +
        "service and its role together breaks: DeleteService returns, the service can even be INACTIVE, while its tasks " +
        "are still DEPROVISIONING. A role is in use when a task that is not STOPPED (running, stopping, deprovisioning) " +
        "references it through an EBS attachment, or an ACTIVE or DRAINING service names it (for its EBS volumes, " +
        "Service Connect TLS, VPC Lattice target groups or a blue/green load balancer: it starts tasks or shifts traffic " +
        "that need it), or a Managed Instances capacity provider that is not INACTIVE names it (it launches no instance " +
        "without it, so tasks stay PENDING), or an Express service that is not INACTIVE does (ECS manages its load " +
        "balancer and the rest with it, and deleting the service without the role leaks them). The message says, use by " +
        "use, what breaks. In a normal check the rule passes and lists them, so a person sees who depends on the role. " +
        "With `check --before-role-change`, for a script about to change or delete the role, it fails while any remain; " +
        "with only --role given, that check reads ECS in every cluster (it must look to say the role is free). With " +
        "--role, the roles about to change are the named ones: other roles the clusters in scope use are listed as in a " +
        "normal check; with no --role, every role in scope is about to change (a whole cluster's teardown). When use " +
        "cannot be known (a cluster's tasks, services, capacity providers or Express services, or the cluster list, " +
        "could not be read; a snapshot taken with only --role, or by a version that did not read capacity providers and " +
        "Express services) the finding is unknown in both modes: a role is never called free where the tool could not look, " +
        "and in a normal check the same gap is already unknown under ecs-scope, so the exit code does not change. " +
        "Before a change, a role named only by services scaled to 0 (desiredCount, runningCount and pendingCount 0, " +
        "for their EBS volumes) with no task left holding it is `warn`, not fail: no volume is stranded now, but " +
        "their next scale-up starts tasks whose volumes ECS cannot manage without the role. A service with a task " +
        "left, or facts that do not give its counts (older snapshots), still fails; the other uses (Service Connect " +
        "TLS, VPC Lattice, blue/green load balancers, capacity providers, Express services) are judged as before. " +
        "Before a change, a scope narrowed with --service or --task cannot call a role free either: the " +
        "cluster's other tasks were not read. " +
        "With --before-role-change the rule is the gate itself: a config's level or suppression for it is ignored " +
        "there (it still applies to normal checks). A " +
        "normal check with only --role reads no ECS and this rule reports nothing. The details list each task (cluster, " +
        "lastStatus, desiredStatus, volume, attachment status and status reason), each service (status, use, " +
        "deployments), each capacity provider and each Express service (status).",
      remediation:
        "Let the users go first: delete the services, capacity providers and Express services that name the role (or " +
        "move them to another role), wait until nothing uses it, then change or delete the role:\n\n" +
        "aws ecs delete-service --cluster CLUSTER --service SERVICE --force\n" +
        "aws ecs delete-capacity-provider --cluster CLUSTER --capacity-provider NAME\n" +
        "ecs-preflight wait --role ROLE\n\n" +
        "See docs/teardown.md for Terraform, CloudFormation and CDK.",
    },
    snippets: WAIT_FOR_USERS,
    messages,
  },
  check(facts, context) {
    // With --role, the roles about to change are the named ones; the others in scope are only listed.
    const named = facts.scope.roles.length > 0;
    return facts.roles.flatMap((role) => {
      const changing =
        context.beforeRoleChange && (!named || role.referencedBy.some((r) => r.kind === "flag"));
      return roleFinding(facts, role, changing) ?? [];
    });
  },
});
