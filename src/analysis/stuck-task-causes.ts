import { roleNameOf } from "../arn/arn.ts";
import type { EbsAttachment, Facts } from "../facts/types.ts";
import { grantPassRoleCommand } from "./pass-role-policy.ts";
import { diagnoseRole, type RoleCheck, type RoleDiagnosis } from "./role-diagnosis.ts";

/**
 * Why a task with an EBS volume is stuck in DEPROVISIONING: the attachment's status reason matched against the
 * reasons AWS documents (aws-facts §1.6), confirmed or narrowed by judging the attachment's role again.
 */

export type StatusReasonKind =
  | "assume-role"
  | "kms-key"
  | "filesystem"
  | "volume-type"
  | "unrecognised"
  | "none";

interface DocumentedReason {
  kind: Exclude<StatusReasonKind, "unrecognised" | "none">;
  pattern: RegExp;
  /** What AWS says causes it. */
  meaning: string;
  /** The fix when the role checks confirm nothing. */
  fix: (roleArn: string | undefined) => string;
}

/** Granting iam:PassRole to whoever creates the service or runs the task (the tool cannot know who that is). */
export function deployerPassRoleFix(roleArn: string | undefined): string {
  return [
    "# let the identity that creates or updates the service (or runs the task) pass the role to ECS:",
    grantPassRoleCommand(
      { kind: "role", name: "DEPLOYER_ROLE" },
      roleArn ?? "arn:aws:iam::ACCOUNT:role/ROLE",
    ),
  ].join("\n");
}

export const DOCUMENTED_REASONS: readonly DocumentedReason[] = [
  {
    kind: "assume-role",
    pattern: /unable to assume the configured ECS Infrastructure Role/i,
    meaning:
      "ECS could not assume the infrastructure role: AWS names a trust policy without ecs.amazonaws.com, a missing iam:PassRole, or missing EBS permissions (or IAM propagation delay after a change)",
    fix: deployerPassRoleFix,
  },
  {
    kind: "kms-key",
    pattern:
      /IdempotentParameterMismatch|client token you have provided is associated with a resource that is already deleted/i,
    meaning:
      "AWS documents this for an invalid KMS key, or a customer managed key whose key policy does not allow the infrastructure role",
    fix: (roleArn) =>
      `# allow the infrastructure role (${roleArn ?? "ROLE"}) in the key policy of the KMS key the volume configuration names:\naws kms get-key-policy --key-id KEY_ID --policy-name default`,
  },
  {
    kind: "filesystem",
    pattern: /timed out while configuring the EBS volume attachment/i,
    meaning:
      "AWS documents this for a filesystem type that does not match the operating system or the snapshot",
    fix: () =>
      "# set managedEBSVolume.filesystemType in the volume configuration to the snapshot's filesystem (ext3, ext4, xfs or ntfs)\naws ecs update-service --cluster CLUSTER --service SERVICE --volume-configurations file://volume.json",
  },
  {
    kind: "volume-type",
    pattern: /VolumeTypeNotAvailableInZone/i,
    meaning: "the volume type is not available in the task's Availability Zone",
    fix: () =>
      "# choose a volume type offered in the task's Availability Zone (managedEBSVolume.volumeType)\naws ecs update-service --cluster CLUSTER --service SERVICE --volume-configurations file://volume.json",
  },
];

export function classifyStatusReason(reason: string | undefined): {
  kind: StatusReasonKind;
  documented?: DocumentedReason;
} {
  if (!reason) return { kind: "none" };
  const documented = DOCUMENTED_REASONS.find((d) => d.pattern.test(reason));
  return documented ? { kind: documented.kind, documented } : { kind: "unrecognised" };
}

/** The rules that report each role check, and CloudTrail's failed calls: a cause names the rule that has the detail. */
export type CauseRules = Record<RoleCheck, string> & { trail: string };

/** The likely cause of one stuck attachment: for the finding's message, details and remediation. */
export interface LikelyCause {
  statusReason: StatusReasonKind;
  /** The rules whose checks confirm the cause. */
  confirmedBy: string[];
  /** The rules whose checks could not be made, with why. */
  unchecked: { check: string; why: string }[];
  /** One or two sentences for the message. */
  summary: string;
  /** Commands to paste; empty when nothing in the facts points at a fix. */
  fix: string;
}

function confirmedSentence(d: RoleDiagnosis, rules: CauseRules): string {
  return d.broken.map((p) => `${p.problem} (${rules[p.check]})`).join("; ");
}

export function likelyCause(facts: Facts, attachment: EbsAttachment, rules: CauseRules): LikelyCause {
  const { kind, documented } = classifyStatusReason(attachment.statusReason);
  const roleArn = attachment.roleArn;
  if (!roleArn) {
    const base = documented ? `The status reason is documented: ${documented.meaning}.` : "";
    return {
      statusReason: kind,
      confirmedBy: [],
      unchecked: [],
      summary:
        `${base} The attachment names no infrastructure role, so the role could not be checked.`.trim(),
      fix: documented?.fix(undefined) ?? "",
    };
  }
  const diagnosis = diagnoseRole(facts, roleArn);
  const name = roleNameOf(roleArn);
  const notChecked = diagnosis.unchecked.map((u) => ({ check: rules[u.check], why: u.why }));
  const unchecked = notChecked.length
    ? ` Not checked: ${notChecked.map((u) => `${u.check} (${u.why})`).join("; ")}.`
    : "";
  const confirmedBy = diagnosis.broken.map((p) => rules[p.check]);
  let summary: string;
  let fix: string[];
  if (diagnosis.broken.length) {
    // Deletion, trust and permissions are what the "unable to assume" reason means; other reasons add their own.
    summary =
      kind === "assume-role"
        ? `Likely cause: ${documented?.meaning}; the role's checks confirm it: ${confirmedSentence(diagnosis, rules)}.`
        : `Likely cause: ${confirmedSentence(diagnosis, rules)}.${documented ? ` The status reason also points to: ${documented.meaning}.` : ""}`;
    fix = diagnosis.broken.map((p) => p.fix);
    if (documented && kind !== "assume-role") fix.push(documented.fix(roleArn));
  } else if (kind === "assume-role") {
    // Trust and permissions hold (or could not be checked): of the documented causes, PassRole is what remains.
    summary = diagnosis.unchecked.length
      ? `Likely cause: ${documented?.meaning}; the role's checks could not all be made.`
      : `Likely cause: iam:PassRole (or IAM propagation delay): ${name} exists, trusts ecs.amazonaws.com and holds the volume permissions, which rules out the other documented causes.`;
    fix = [deployerPassRoleFix(roleArn)];
  } else if (documented) {
    summary = `Likely cause: ${documented.meaning}${diagnosis.unchecked.length ? "" : `; ${name} itself checks out`}.`;
    fix = [documented.fix(roleArn)];
  } else {
    summary = diagnosis.unchecked.length
      ? "No cause is confirmed by the role checks that could be made."
      : `${name} exists, trusts ecs.amazonaws.com and holds the volume permissions, so the role does not explain it: see the task's stoppedReason and the role's ECSTaskVolumesForEBS calls in CloudTrail (${rules.trail}).`;
    fix = [];
  }
  return {
    statusReason: kind,
    confirmedBy,
    unchecked: notChecked,
    summary: summary + unchecked,
    fix: fix.join("\n"),
  };
}
