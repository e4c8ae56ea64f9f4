import { recreateRoleCommands } from "../../src/analysis/fix-commands.ts";
import { usedForVolumes } from "../../src/analysis/role-policies.ts";
import {
  dependentsOf,
  policiesForUses,
  roleConsequence,
  roleResource,
} from "../../src/analysis/role-subject.ts";
import { parseArn, roleNameOf, rolePathOf } from "../../src/arn/arn.ts";
import { defineRule } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import { messages } from "./messages.ts";
import { RECREATE_ROLE } from "./snippets.ts";

export default defineRule({
  meta: {
    id: "role-exists",
    title: "Infrastructure role exists",
    severity: "fail",
    concern: "stopping-tasks",
    // The other role rules leave a deleted role to this one: turned off, a deleted role would be reported by none.
    required: true,
    needs: ["roles"],
    docs: {
      summary: "Every ECS infrastructure role in scope still exists in IAM.",
      rationale:
        "ECS assumes the infrastructure role to detach and delete a task's EBS volume when the task stops. If the role " +
        "was deleted, tasks hang in DEPROVISIONING and their volumes are never deleted (they keep costing money). ECS " +
        "retries until a role with the same name exists again.",
      remediation:
        "Recreate the role with the same name (and path), trusted by ecs.amazonaws.com, with the managed policy " +
        "AmazonECSInfrastructureRolePolicyForVolumes attached:\n\n" +
        "aws iam create-role --role-name NAME --assume-role-policy-document '{...ecs.amazonaws.com...}'\n" +
        "aws iam attach-role-policy --role-name NAME --policy-arn " +
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes",
    },
    snippets: RECREATE_ROLE,
    messages,
  },
  check(facts) {
    return facts.roles.map((role) => {
      const resource = roleResource(facts, role);
      const dependents = dependentsOf(role);
      if (!role.role.ok) return unknownFinding(resource, `whether role ${role.name} exists`, role.role.error);
      if (!role.role.value.exists) {
        // Recreated with the managed policy of each use (a TLS-only role needs the TLS policy, not the volumes one).
        const partition = parseArn(resource)?.partition ?? "aws";
        const policies = policiesForUses(role, partition);
        const breaks =
          usedForVolumes(role) && policies.length === 1
            ? "ECS cannot detach or delete the volumes of tasks that use it"
            : roleConsequence(role);
        return {
          status: "fail",
          resource,
          messageId: "gone",
          data: { role: role.name, breaks, dependents },
          details: { dependents },
          remediation: recreateRoleCommands(roleNameOf(role.ref), rolePathOf(role.ref), partition, policies),
        };
      }
      return {
        status: "pass",
        resource,
        messageId: "exists",
        data: { role: role.name },
        details: { dependents },
      };
    });
  },
});
