import { shortName } from "../src/analysis/arn.ts";
import { WAIT_FOR_USERS } from "../src/analysis/remediation-snippets.ts";
import { roleResource } from "../src/analysis/role-subject.ts";
import {
  consequenceSentence,
  inUse,
  type RoleUsage,
  roleUsage,
  usageSentence,
} from "../src/analysis/role-usage.ts";
import { defineRule, type RuleFinding } from "../src/engine/types.ts";
import type { Facts, RoleFacts } from "../src/facts/types.ts";

function details(usage: RoleUsage, roleArn: string, beforeRoleChange: boolean): Record<string, unknown> {
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

/** "cluster prod's tasks (ecs:ListTasks AccessDeniedException)" — what was not read, for messages. */
function unreadSentence(usage: RoleUsage): string {
  const items = usage.unread.map(
    (u) =>
      `${u.resource === "ecs:clusters" ? "the cluster list" : `cluster ${shortName(u.resource)}`} (${u.error.api} ${u.error.code})`,
  );
  return `${items.slice(0, 3).join(", ")}${items.length > 3 ? ", …" : ""}`;
}

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

function roleFinding(facts: Facts, role: RoleFacts, beforeRoleChange: boolean): RuleFinding | undefined {
  const usage = roleUsage(facts, role.ref);
  // A --role-only check did not read ECS: nothing is in scope to list (before a change, the collector reads ECS).
  if (!usage.ecsRead && !beforeRoleChange) return undefined;
  const resource = roleResource(facts, role);
  const used = inUse(usage);
  const base = { resource, details: details(usage, resource, beforeRoleChange) };
  if (used === true) {
    const who = usageSentence(usage);
    const gaps = usage.unread.length ? ` (and ${unreadSentence(usage)} could not be read)` : "";
    if (!beforeRoleChange) {
      const after =
        usage.services.length || usage.capacityProviders.length || usage.expressServices.length
          ? "what names it is gone and "
          : "";
      return {
        ...base,
        status: "pass",
        message: `Role ${role.name} is in use by ${who}${gaps}: change or delete it only after ${after}\`ecs-preflight wait --role ${role.name}\` exits 0.`,
      };
    }
    return {
      ...base,
      status: "fail",
      message: `Role ${role.name} is still in use by ${who}${gaps}: changing or deleting it now breaks them (${consequenceSentence(usage)}).`,
      remediation: waitCommand(role, usage),
    };
  }
  // --service/--task narrow the clusters to those tasks: the others a cluster runs were never read.
  const narrowed = [
    ...facts.scope.services.map((s) => `--service ${shortName(s)}`),
    ...facts.scope.tasks.map((t) => `--task ${shortName(t)}`),
  ];
  if (used === false && beforeRoleChange && narrowed.length) {
    return {
      ...base,
      status: "unknown",
      message: `Whether role ${role.name} is still in use cannot be told: only the tasks of ${narrowed.slice(0, 3).join(", ")}${narrowed.length > 3 ? ", …" : ""} were read, and another task in the cluster may still need it (check with --role and --cluster, or --role alone, before a change).`,
    };
  }
  if (used === false) {
    const n = facts.ecs?.clusters.ok ? facts.ecs.clusters.value.length : 0;
    return {
      ...base,
      status: "pass",
      message: `No task that is not STOPPED, no ACTIVE or DRAINING service and no live capacity provider or Express service uses role ${role.name} (${n} cluster${n === 1 ? "" : "s"} read)${beforeRoleChange ? ": it may be changed or deleted" : ""}.`,
    };
  }
  const why = usage.ecsRead
    ? `${unreadSentence(usage)} could not be read`
    : "ECS was not read (a snapshot taken with only --role; take it with --role and --cluster for every cluster that may use the role)";
  return {
    ...base,
    status: "unknown",
    message: `Whether role ${role.name} is still in use cannot be told: ${why}, and a task there may still need it.`,
  };
}

export default defineRule({
  id: "role-in-use",
  title: "Who still uses the infrastructure role",
  severity: "fail",
  requiredBeforeRoleChange: true,
  docs: {
    snippets: WAIT_FOR_USERS,
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
  check(facts, options) {
    // With --role, the roles about to change are the named ones; the others in scope are only listed.
    const named = facts.scope.roles.length > 0;
    return facts.roles.flatMap((role) => {
      const changing =
        options.beforeRoleChange === true && (!named || role.referencedBy.some((r) => r.kind === "flag"));
      return roleFinding(facts, role, changing) ?? [];
    });
  },
});
