import { attachPolicyCommand } from "../../src/analysis/fix-commands.ts";
import {
  INFRASTRUCTURE_USES,
  type InfrastructureUse,
  infrastructureUse,
  usePolicyArn,
  usesOf,
} from "../../src/analysis/infrastructure-uses.ts";
import { type RolePolicies, rolePolicies, usedForVolumes } from "../../src/analysis/role-policies.ts";
import { roleResource } from "../../src/analysis/role-subject.ts";
import { holdsUse } from "../../src/analysis/use-access.ts";
import { parseArn } from "../../src/arn/arn.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { Facts, RoleFacts } from "../../src/facts/types.ts";
import { type MissingPolicy, messages } from "./messages.ts";
import { ATTACH_MANAGED_POLICIES } from "./snippets.ts";

/** An AWS managed policy a role needs for one of its uses, and whether the role holds its permissions anyway. */
interface Expected {
  use: InfrastructureUse;
  name: string;
  arn: string;
  /** The rule that decides whether the role works today. */
  decidedBy: string;
  permissionsHeld(facts: Facts, policies: RolePolicies): boolean;
}

/** The managed policies a role's uses call for, one per use: volumes for EBS (and --role), and each other use's own. */
function expectedPolicies(role: RoleFacts, partition: string): Expected[] {
  const ebs = usedForVolumes(role) ? [infrastructureUse("ebs")] : [];
  const uses = [...new Set([...ebs, ...usesOf(role)])];
  return INFRASTRUCTURE_USES.filter((u) => uses.includes(u)).map((use) => ({
    use,
    name: use.policy.name,
    arn: usePolicyArn(use, partition),
    decidedBy: use.permissionsRule,
    permissionsHeld: (facts: Facts, p: RolePolicies) => holdsUse(facts, p, use, role),
  }));
}

/** What is attached, and for each policy not attached whether its permissions are held another way. */
interface PolicyDetails {
  attached: string[];
  heldOtherwise: boolean;
  missing: MissingPolicy[];
}

export default defineRule({
  meta: {
    id: "managed-policy",
    title: "The AWS managed policies for the role's uses are attached",
    severity: "warn",
    concern: "stopping-tasks",
    needs: ["roles"],
    docs: {
      summary:
        "The role has the AWS managed policy for each use ECS gives it: " +
        INFRASTRUCTURE_USES.map((u) => `${u.policy.name} for ${u.label}`).join(", ") +
        " (roles named with --role are expected to have the volumes one).",
      rationale:
        "AWS keeps the managed policies in step with what ECS needs (it added snapshot and instance permissions over time " +
        "and never removes permissions). A role that holds the permissions through its own policies works today but can " +
        "break when ECS needs a new action, and is easy to trim by mistake: the finding warns, and says whether the " +
        "use's permissions are held some other way. This is advisory: each use's permissions rule (" +
        INFRASTRUCTURE_USES.map((u) => u.permissionsRule).join(", ") +
        ") decides whether the role works now. A role is expected to carry only the policies of the uses it was seen " +
        "in: a role used only for Service Connect TLS is not expected to carry the volumes policy, nor a role only a " +
        "Managed Instances capacity provider names the TLS one. Mind the paths: only the Volumes, Service Connect TLS " +
        "and Express Mode policies sit under /service-role/. A warning about the volumes policy counts under stopping " +
        "tasks; one about only other uses' policies counts under deploying and running services (the finding's " +
        "`concern`).",
      remediation: INFRASTRUCTURE_USES.map(
        (u) => `aws iam attach-role-policy --role-name NAME --policy-arn ${usePolicyArn(u)}`,
      ).join("\n"),
    },
    snippets: ATTACH_MANAGED_POLICIES,
    messages,
  },
  check(facts) {
    const findings: RuleResult<PolicyDetails | UnknownDetails, typeof messages>[] = [];
    for (const role of facts.roles) {
      if (role.role.ok && !role.role.value.exists) continue;
      const resource = roleResource(facts, role);
      const partition = parseArn(resource)?.partition ?? "aws";
      const expected = expectedPolicies(role, partition);
      if (!expected.length) continue;
      if (!role.attachedPolicies.ok) {
        findings.push(
          unknownFinding(resource, `the policies attached to ${role.name}`, role.attachedPolicies.error),
        );
        continue;
      }
      const attachedArns = role.attachedPolicies.value.map((p) => p.arn);
      const missing = expected.filter((e) => !attachedArns.includes(e.arn));
      if (!missing.length) {
        findings.push({
          status: "pass",
          resource,
          messageId: "attached",
          data: { role: role.name, policies: expected.map((e) => e.name) },
        });
        continue;
      }
      // Not attached: say whether the permissions are held some other way (the deciding rule has the detail).
      const policies = rolePolicies(facts, role);
      const judged: MissingPolicy[] = missing.map((e) => ({
        policy: e.name,
        heldOtherwise: policies.ok && e.permissionsHeld(facts, policies.value),
        decidedBy: e.decidedBy,
      }));
      // Only the volumes policy is about stopping tasks; another use's is about deploying and running services.
      const aboutVolumes = missing.some((e) => e.use.id === "ebs");
      findings.push({
        status: "warn",
        resource,
        ...(aboutVolumes ? {} : { concern: "deploying-services" as const }),
        messageId: "notAttached",
        data: {
          role: role.name,
          missing: judged.map((m) => ({
            ...m,
            permissions: missing.find((e) => e.name === m.policy)?.use.permissionsNoun ?? m.policy,
          })),
        },
        details: {
          attached: attachedArns,
          heldOtherwise: judged.every((e) => e.heldOtherwise),
          missing: judged,
        },
        remediation: missing.map((e) => attachPolicyCommand(role.name, e.arn)).join("\n"),
      });
    }
    return findings;
  },
});
