import tlsPolicyDocument from "../../fixtures/policies/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity.v4.json" with {
  type: "json",
};
import type { RequestContext, RequestValue } from "../iam/types.ts";
import type { RoleLocation } from "./ecs-requests.ts";

/**
 * The requests ECS makes with a Service Connect TLS role (issuing and rotating the services' certificates in
 * Secrets Manager and AWS Private CA), modelled as the evaluator's request contexts. What ECS is known to send is
 * exact; what varies per service is a pattern; any other key is left out, so a policy conditioned on it is
 * unprovable (the rule reports unknown), never assumed to hold.
 */

export const TLS_POLICY_NAME = "AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity";
/** The default version the action list below is read from (reference/managed-policies, aws-facts §3.2). */
export const TLS_POLICY_VERSION = "v4";

export function tlsPolicyArn(partition = "aws"): string {
  return `arn:${partition}:iam::aws:policy/service-role/${TLS_POLICY_NAME}`;
}

const exact = (...values: string[]): RequestValue => ({ kind: "exact", values });
const pattern = (p: string): RequestValue => ({ kind: "pattern", pattern: p });

/**
 * What a statement of the managed policy says about the request, by the keys its Condition names: the request
 * model supplies ECS's own values for those keys (never the policy's), so the attached managed policy passing is a
 * test of the model, not a tautology.
 */
export type TlsRequestShape =
  /** CreateSecret, TagResource: a new ecs-sc! secret tagged AmazonECSManaged and AmazonECSCreated on the way in. */
  | "secret-create"
  /** An existing ecs-sc! secret, conditioned on its owning-service tag. */
  | "secret-owned"
  /** An existing ecs-sc! secret, conditioned on its account only. */
  | "secret"
  /** A Private CA tagged AmazonECSManaged=true. */
  | "pca"
  /** IssueCertificate on such a CA, with the end-entity template. */
  | "pca-issue";

export interface TlsRequirement {
  action: string;
  /** The managed policy's statement that grants it. */
  sid: string;
  shape: TlsRequestShape;
}

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** Condition keys whose ECS-side value the model knows; a new one in a later policy version must be modelled first. */
const MODELLED_KEYS = new Set([
  "aws:requesttag/amazonecscreated",
  "aws:requesttag/amazonecsmanaged",
  "aws:resourceaccount",
  "secretsmanager:resourcetag/aws:secretsmanager:owningservice",
  "aws:resourcetag/amazonecsmanaged",
  "acm-pca:templatearn",
]);

function shapeOf(statement: PolicyStatement, action: string): TlsRequestShape {
  const keys = Object.values(statement.Condition ?? {}).flatMap((byKey) =>
    Object.keys(byKey).map((k) => k.toLowerCase()),
  );
  const unmodelled = keys.find((k) => !MODELLED_KEYS.has(k));
  if (unmodelled) throw new Error(`${TLS_POLICY_NAME}: condition key ${unmodelled} is not modelled`);
  if (action.startsWith("secretsmanager:")) {
    if (keys.some((k) => k.startsWith("aws:requesttag/"))) return "secret-create";
    if (keys.includes("secretsmanager:resourcetag/aws:secretsmanager:owningservice")) return "secret-owned";
    return "secret";
  }
  if (action.startsWith("acm-pca:")) return keys.includes("acm-pca:templatearn") ? "pca-issue" : "pca";
  throw new Error(`${TLS_POLICY_NAME}: action ${action} is not modelled`);
}

/**
 * Every action of the managed policy, read from the policy document itself (grouped by its statement's resource
 * and condition shape) rather than listed by hand: when AWS publishes a new version, replacing the fixture changes
 * what the rule requires, and the rule and the policy cannot drift apart.
 */
export function requirementsOf(document: { Statement: PolicyStatement[] }): TlsRequirement[] {
  return document.Statement.filter((s) => s.Effect === "Allow").flatMap((s, i) =>
    (Array.isArray(s.Action) ? s.Action : [s.Action]).map((action) => ({
      action,
      sid: s.Sid ?? `statement ${i + 1}`,
      shape: shapeOf(s, action),
    })),
  );
}

export const TLS_REQUIREMENTS: readonly TlsRequirement[] = requirementsOf(
  tlsPolicyDocument as { Statement: PolicyStatement[] },
);

/**
 * The requests ECS makes as the role's session for one required action. ECS tags a new secret with the service's
 * ARN or, for a deployment through task sets, the task set's: both must be allowed, so that shape gives two requests.
 */
export function tlsRequests(requirement: TlsRequirement, loc: RoleLocation): RequestContext[] {
  const { action, shape } = requirement;
  const { partition: p, region, account } = loc;
  const session = {
    "aws:PrincipalAccount": exact(account),
    "aws:PrincipalArn": exact(loc.roleArn),
    "aws:RequestedRegion": exact(region),
  };
  const principal = { ...session, "aws:ResourceAccount": exact(account) };
  if (shape === "pca" || shape === "pca-issue") {
    return [
      {
        action,
        // The CA is the one the service names (issuerCertificateAuthority), which may be shared from another account
        // (AWS RAM): its account is not known here, so neither is aws:ResourceAccount.
        resource: pattern(`arn:${p}:acm-pca:${region}:*:certificate-authority/*`),
        context: {
          ...session,
          "aws:ResourceTag/AmazonECSManaged": exact("true"),
          ...(shape === "pca-issue"
            ? { "acm-pca:TemplateArn": exact(`arn:${p}:acm-pca:::template/EndEntityCertificate/V1`) }
            : {}),
        },
      },
    ];
  }
  const secret = pattern(`arn:${p}:secretsmanager:${region}:${account}:secret:ecs-sc!*`);
  if (shape === "secret-create") {
    return ["service", "task-set"].map((kind) => ({
      action,
      resource: secret,
      context: {
        ...principal,
        "aws:RequestTag/AmazonECSManaged": exact("true"),
        "aws:RequestTag/AmazonECSCreated": pattern(`arn:${p}:ecs:${region}:${account}:${kind}/*/*`),
      },
    }));
  }
  const owned: Record<string, RequestValue> =
    shape === "secret-owned"
      ? {
          // Secrets Manager answers the same tag under both names.
          "secretsmanager:ResourceTag/aws:secretsmanager:owningService": exact("ecs-sc"),
          "aws:ResourceTag/aws:secretsmanager:owningService": exact("ecs-sc"),
        }
      : {};
  return [{ action, resource: secret, context: { ...principal, ...owned } }];
}
