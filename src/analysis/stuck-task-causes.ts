import type { EbsAttachment, Facts } from "../facts/types.ts";
import { roleNameOf } from "./arn.ts";
import { shellQuote } from "./remediation.ts";
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

const PASS_ROLE_POLICY = (roleArn: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: roleArn,
        Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
      },
    ],
  });

/** Granting iam:PassRole to whoever creates the service or runs the task (the tool cannot know who that is). */
export function passRoleFix(roleArn: string | undefined): string {
  const arn = roleArn ?? "arn:aws:iam::ACCOUNT:role/ROLE";
  return [
    "# let the identity that creates or updates the service (or runs the task) pass the role to ECS:",
    `aws iam put-role-policy --role-name DEPLOYER_ROLE --policy-name PassEcsInfrastructureRole --policy-document ${shellQuote(PASS_ROLE_POLICY(arn))}`,
  ].join("\n");
}

export const DOCUMENTED_REASONS: readonly DocumentedReason[] = [
  {
    kind: "assume-role",
    pattern: /unable to assume the configured ECS Infrastructure Role/i,
    meaning:
      "ECS could not assume the infrastructure role: AWS names a trust policy without ecs.amazonaws.com, a missing iam:PassRole, or missing EBS permissions (or IAM propagation delay after a change)",
    fix: passRoleFix,
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

/** The likely cause of one stuck attachment: for the finding's message, details and remediation. */
export interface LikelyCause {
  statusReason: StatusReasonKind;
  /** The role checks that confirm the cause (rule ids). */
  confirmedBy: RoleCheck[];
  /** Role checks that could not be made, with why. */
  unchecked: { check: RoleCheck; why: string }[];
  /** One or two sentences for the message. */
  summary: string;
  /** Commands to paste; empty when nothing in the facts points at a fix. */
  fix: string;
}

function confirmedSentence(d: RoleDiagnosis): string {
  return d.broken.map((p) => `${p.problem} (${p.check})`).join("; ");
}

export function likelyCause(facts: Facts, attachment: EbsAttachment): LikelyCause {
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
  const unchecked = diagnosis.unchecked.length
    ? ` Not checked: ${diagnosis.unchecked.map((u) => `${u.check} (${u.why})`).join("; ")}.`
    : "";
  const confirmedBy = diagnosis.broken.map((p) => p.check);
  let summary: string;
  let fix: string[];
  if (diagnosis.broken.length) {
    // Deletion, trust and permissions are what the "unable to assume" reason means; other reasons add their own.
    summary =
      kind === "assume-role"
        ? `Likely cause: ${documented?.meaning}; the role's checks confirm it: ${confirmedSentence(diagnosis)}.`
        : `Likely cause: ${confirmedSentence(diagnosis)}.${documented ? ` The status reason also points to: ${documented.meaning}.` : ""}`;
    fix = diagnosis.broken.map((p) => p.fix);
    if (documented && kind !== "assume-role") fix.push(documented.fix(roleArn));
  } else if (kind === "assume-role") {
    // Trust and permissions hold (or could not be checked): of the documented causes, PassRole is what remains.
    summary = diagnosis.unchecked.length
      ? `Likely cause: ${documented?.meaning}; the role's checks could not all be made.`
      : `Likely cause: iam:PassRole (or IAM propagation delay): ${name} exists, trusts ecs.amazonaws.com and holds the volume permissions, which rules out the other documented causes.`;
    fix = [passRoleFix(roleArn)];
  } else if (documented) {
    summary = `Likely cause: ${documented.meaning}${diagnosis.unchecked.length ? "" : `; ${name} itself checks out`}.`;
    fix = [documented.fix(roleArn)];
  } else {
    summary = diagnosis.unchecked.length
      ? "No cause is confirmed by the role checks that could be made."
      : `${name} exists, trusts ecs.amazonaws.com and holds the volume permissions, so the role does not explain it: see the task's stoppedReason and the role's ECSTaskVolumesForEBS calls in CloudTrail (cloudtrail-errors).`;
    fix = [];
  }
  return {
    statusReason: kind,
    confirmedBy,
    unchecked: diagnosis.unchecked,
    summary: summary + unchecked,
    fix: fix.join("\n"),
  };
}
