import { parseArn } from "../src/analysis/arn.ts";
import {
  attachVolumesPolicyCommand,
  VOLUMES_POLICY_NAME,
  volumesPolicyArn,
} from "../src/analysis/remediation.ts";
import { ATTACH_VOLUMES_POLICY } from "../src/analysis/remediation-snippets.ts";
import { rolePolicies, usedForVolumes } from "../src/analysis/role-policies.ts";
import { roleResource } from "../src/analysis/role-subject.ts";
import { volumeAccess } from "../src/analysis/volume-access.ts";
import { defineRule, type RuleFinding } from "../src/engine/types.ts";
import { unknownFinding } from "../src/engine/unknown.ts";

export default defineRule({
  id: "managed-policy",
  title: `${VOLUMES_POLICY_NAME} is attached`,
  severity: "warn",
  docs: {
    snippets: ATTACH_VOLUMES_POLICY,
    summary: `The role has the AWS managed policy ${VOLUMES_POLICY_NAME} attached.`,
    rationale:
      "AWS keeps the managed policy in step with what ECS needs (it added snapshot and instance permissions over time " +
      "and never removes permissions). A role that holds the permissions through its own policies works today but can " +
      "break when ECS needs a new action, and is easy to trim by mistake. This is advisory: volume-permissions decides " +
      "whether the role works now.",
    remediation: `aws iam attach-role-policy --role-name NAME --policy-arn arn:aws:iam::aws:policy/service-role/${VOLUMES_POLICY_NAME}`,
  },
  check(facts) {
    const findings: RuleFinding[] = [];
    for (const role of facts.roles) {
      if (!usedForVolumes(role)) continue;
      if (role.role.ok && !role.role.value.exists) continue;
      const resource = roleResource(facts, role);
      if (!role.attachedPolicies.ok) {
        findings.push(
          unknownFinding(resource, `the policies attached to ${role.name}`, role.attachedPolicies.error),
        );
        continue;
      }
      const partition = parseArn(resource)?.partition ?? "aws";
      const expected = volumesPolicyArn(partition);
      if (role.attachedPolicies.value.some((p) => p.arn === expected)) {
        findings.push({
          status: "pass",
          resource,
          message: `${VOLUMES_POLICY_NAME} is attached to ${role.name}.`,
        });
        continue;
      }
      // Not attached: say whether the permissions are held some other way (volume-permissions has the detail).
      const policies = rolePolicies(facts, role);
      const heldOtherwise =
        policies.ok && volumeAccess(facts, policies.value).every((v) => v.decision.decision === "allow");
      findings.push({
        status: "warn",
        resource,
        message: heldOtherwise
          ? `${VOLUMES_POLICY_NAME} is not attached to ${role.name}; the volume permissions are held through other policies, which AWS will not update when ECS needs more.`
          : `${VOLUMES_POLICY_NAME} is not attached to ${role.name}, and the volume permissions are not all held another way (see volume-permissions).`,
        details: { attached: role.attachedPolicies.value.map((p) => p.arn), heldOtherwise },
        remediation: attachVolumesPolicyCommand(role.name, partition),
      });
    }
    return findings;
  },
});
