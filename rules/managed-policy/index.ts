import {
  attachPolicyCommand,
  VOLUMES_POLICY_NAME,
  volumesPolicyArn,
} from "../../src/analysis/fix-commands.ts";
import {
  type RolePolicies,
  rolePolicies,
  usedForServiceConnectTls,
  usedForVolumes,
} from "../../src/analysis/role-policies.ts";
import { roleResource } from "../../src/analysis/role-subject.ts";
import { tlsAccess } from "../../src/analysis/tls-access.ts";
import { TLS_POLICY_NAME, tlsPolicyArn } from "../../src/analysis/tls-requests.ts";
import { volumeAccess } from "../../src/analysis/volume-access.ts";
import { parseArn } from "../../src/arn/arn.ts";
import type { UnknownDetails } from "../../src/engine/finding.ts";
import { defineRule, type RuleResult } from "../../src/engine/rule.ts";
import { unknownFinding } from "../../src/engine/unknown.ts";
import type { Facts, RoleFacts } from "../../src/facts/types.ts";
import { type MissingPolicy, messages } from "./messages.ts";
import { ATTACH_MANAGED_POLICIES } from "./snippets.ts";

/** An AWS managed policy a role needs for one of its uses, and whether the role holds its permissions anyway. */
interface Expected {
  name: string;
  arn: string;
  /** The rule that decides whether the role works today. */
  decidedBy: string;
  permissionsHeld(facts: Facts, policies: RolePolicies): boolean;
}

/** The managed policies a role's uses call for: volumes for EBS (and --role), TLS for Service Connect TLS. */
function expectedPolicies(role: RoleFacts, partition: string): Expected[] {
  return [
    ...(usedForVolumes(role)
      ? [
          {
            name: VOLUMES_POLICY_NAME,
            arn: volumesPolicyArn(partition),
            decidedBy: "volume-permissions",
            permissionsHeld: (facts: Facts, p: RolePolicies) =>
              volumeAccess(facts, p).every((v) => v.decision.decision === "allow"),
          },
        ]
      : []),
    ...(usedForServiceConnectTls(role)
      ? [
          {
            name: TLS_POLICY_NAME,
            arn: tlsPolicyArn(partition),
            decidedBy: "tls-permissions",
            permissionsHeld: (facts: Facts, p: RolePolicies) =>
              tlsAccess(facts, p).every((v) => v.decision.decision === "allow"),
          },
        ]
      : []),
  ];
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
        `The role has the AWS managed policy for each use: ${VOLUMES_POLICY_NAME} for EBS volumes (and roles named ` +
        `with --role), ${TLS_POLICY_NAME} for a role a service names for Service Connect TLS.`,
      rationale:
        "AWS keeps the managed policies in step with what ECS needs (it added snapshot and instance permissions over time " +
        "and never removes permissions). A role that holds the permissions through its own policies works today but can " +
        "break when ECS needs a new action, and is easy to trim by mistake. This is advisory: volume-permissions and " +
        "tls-permissions decide whether the role works now. A role used only for Service Connect TLS is not expected to " +
        "carry the volumes policy, nor an EBS-only role the TLS one.",
      remediation: `aws iam attach-role-policy --role-name NAME --policy-arn arn:aws:iam::aws:policy/service-role/${VOLUMES_POLICY_NAME}\naws iam attach-role-policy --role-name NAME --policy-arn arn:aws:iam::aws:policy/service-role/${TLS_POLICY_NAME}`,
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
      findings.push({
        status: "warn",
        resource,
        messageId: "notAttached",
        data: {
          role: role.name,
          missing: judged.map((m) => ({
            ...m,
            permissions: m.policy === VOLUMES_POLICY_NAME ? "volume" : "TLS",
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
