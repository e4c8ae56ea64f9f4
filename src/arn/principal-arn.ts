/** What a principal ARN names, for the pass-role check: an IAM role or user, or a principal it cannot evaluate. */
export type PrincipalTarget =
  | { kind: "role"; name: string; account: string; partition: string }
  | { kind: "user"; name: string; account: string; partition: string }
  | { kind: "unsupported"; reason: string };

const ACCOUNT = "(\\d{12})";
const PARTITION = "(aws[a-z-]*)";
const IAM_ENTITY = new RegExp(
  `^arn:${PARTITION}:iam::${ACCOUNT}:(role|user)((?:/[\\w+=,.@-]+)*)/([\\w+=,.@-]+)$`,
);
const ASSUMED_ROLE = new RegExp(
  `^arn:${PARTITION}:sts::${ACCOUNT}:assumed-role/([\\w+=,.@-]+)/[\\w+=,.@-]+$`,
);
const ROOT = new RegExp(`^arn:${PARTITION}:iam::${ACCOUNT}:root$`);
/** Whether the ARN is an account's root user (arn:aws:iam::ACCOUNT:root). */
export function isRootArn(arn: string): boolean {
  return ROOT.test(arn);
}

const FEDERATED = new RegExp(`^arn:${PARTITION}:sts::${ACCOUNT}:federated-user/[\\w+=,.@-]+$`);

/**
 * Reads a principal ARN: an IAM role or user ARN (any path), or an STS assumed-role ARN, which means its role (the
 * STS ARN has no path: the collector asks GetRole by name). The root user and federated users are not evaluated:
 * their permissions are not (only) IAM identity policies. Undefined when the ARN is none of these shapes.
 */
export function parsePrincipalArn(arn: string): PrincipalTarget | undefined {
  const entity = IAM_ENTITY.exec(arn);
  if (entity) {
    const [, partition = "aws", account = "", kind, , name = ""] = entity;
    return { kind: kind === "role" ? "role" : "user", name, account, partition };
  }
  const assumed = ASSUMED_ROLE.exec(arn);
  if (assumed) {
    const [, partition = "aws", account = "", name = ""] = assumed;
    return { kind: "role", name, account, partition };
  }
  if (ROOT.test(arn))
    return {
      kind: "unsupported",
      reason:
        "it is the account's root user, which IAM policies do not limit: it may pass any role, and deployments should not run as root",
    };
  if (FEDERATED.test(arn))
    return {
      kind: "unsupported",
      reason:
        "it is an STS federated user, whose permissions are the intersection of the IAM user that called GetFederationToken and the session policy, which IAM does not keep: name that IAM user with --principal instead",
    };
  return undefined;
}

/** The principal kinds --principal takes, for the usage error. */
export const PRINCIPAL_ARN_EXPECTED =
  "an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), an IAM user ARN (arn:aws:iam::ACCOUNT:user/NAME) or an STS assumed-role ARN (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION)";

/** What the caller's ARN means when it is none of the evaluable shapes (a service-linked session, a new kind). */
export function callerTarget(arn: string): PrincipalTarget {
  return (
    parsePrincipalArn(arn) ?? {
      kind: "unsupported",
      reason:
        "it is not an IAM role, an IAM user or an assumed-role session, whose IAM policies could be read",
    }
  );
}
