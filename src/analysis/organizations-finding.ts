import type { Status } from "../engine/status.ts";
import {
  type EvaluatorDisagreement,
  NOT_READ,
  type OrganizationsJudgement,
} from "./organizations-decision.ts";

/**
 * What an Organizations judgement adds to a permission rule's finding: its status, the problem in words, the fix
 * and the details (shared by volume-permissions and tls-permissions).
 */

/** The finding's `details.organizations`. */
export interface OrganizationsDetails {
  decision: OrganizationsJudgement["kind"];
  reason?: string;
  deniedActions?: string[];
  api?: string;
  code?: string;
  error?: string;
  /** AWS's EvalDecision beside the tool's, where they differ with no MissingContextValues (logged as a warning). */
  disagreements?: EvaluatorDisagreement[];
}

export interface OrganizationsPart {
  status: Status;
  problems: string[];
  fixes: string[];
  details: OrganizationsDetails;
}

/**
 * Denials that matter less than a fail for this role: those on resources ECS asks for only for some of the use's
 * users (the EBS use's DetachVolume on an EC2 instance, for a role only seen with Fargate tasks). When every denial
 * is on such resources, the part has `status` and the problem says `where`.
 */
export interface LesserDenial {
  applies: (resources: readonly string[]) => boolean;
  status: Status;
  /** "on EC2 instances (…)": where the denial is, as the problem says it. */
  where: string;
}

const DENIED = /AccessDenied|NotAuthorized/i;

export function organizationsPart(
  judgement: OrganizationsJudgement,
  roleName: string,
  lesserDenial?: LesserDenial,
): OrganizationsPart {
  const disagreements =
    judgement.kind !== "not-needed" && judgement.disagreements.length
      ? { disagreements: judgement.disagreements }
      : {};
  switch (judgement.kind) {
    case "not-needed":
      return {
        status: "pass",
        problems: [],
        fixes: [],
        details: { decision: judgement.kind, reason: judgement.reason },
      };
    case "allowed":
      return {
        status: "pass",
        problems: [],
        fixes: [],
        details: { decision: judgement.kind, ...disagreements },
      };
    case "denied": {
      const actions = judgement.actions.join(", ");
      const lesser =
        lesserDenial && judgement.deniedOn.every((d) => lesserDenial.applies(d.resources))
          ? lesserDenial
          : undefined;
      return {
        status: lesser?.status ?? "fail",
        problems: [
          `an Organizations policy (SCP) denies ${actions}${lesser ? ` ${lesser.where}` : ""} to the role; AWS does not say which policy (it reports an ` +
            "SCP's Deny as implicitDeny with no matched statement): the organization's administrators can tell which",
        ],
        fixes: [
          `# An Organizations policy (SCP) denies ${actions} to ${roleName}; no command in this account changes an SCP.\n` +
            "# Ask the organization's administrators which SCP denies it, and to allow the action to this role.",
        ],
        details: { decision: judgement.kind, deniedActions: judgement.actions, ...disagreements },
      };
    }
    default: {
      const { error } = judgement;
      return {
        status: "unknown",
        problems: [
          `whether an Organizations policy (SCP) denies its actions is unknown: ${
            error.code === NOT_READ ? `${error.api} was not read` : `${error.api} failed with ${error.code}`
          }: ${error.message}`,
        ],
        fixes: DENIED.test(error.code)
          ? [
              `# Allow ${error.api} on the role for the identity running ecs-preflight (see README: Permissions).`,
            ]
          : [],
        details: {
          decision: judgement.kind,
          api: error.api,
          code: error.code,
          error: error.message,
          ...disagreements,
        },
      };
    }
  }
}
