import { readFileSync } from "node:fs";
import type {
  Fact,
  FactError,
  Facts,
  ManagedPolicy,
  RoleFacts,
  RoleReference,
} from "../../src/facts/types.ts";

/** Builders for Facts fixtures: small, readable rows in rule tables. */

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const VOLUMES_POLICY_ARN =
  "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes";
export const volumesPolicyDocument: unknown = JSON.parse(
  readFileSync(
    new URL("../../fixtures/policies/AmazonECSInfrastructureRolePolicyForVolumes.v5.json", import.meta.url),
    "utf8",
  ),
);

export const TLS_POLICY_ARN =
  "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity";
/** The managed Service Connect TLS policy v4, verbatim (a fresh parse: tests may edit their copy). */
export function tlsPolicyDocument(): { Version: string; Statement: Record<string, unknown>[] } {
  return JSON.parse(
    readFileSync(
      new URL(
        "../../fixtures/policies/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity.v4.json",
        import.meta.url,
      ),
      "utf8",
    ),
  );
}

export const ok = <T>(value: T): Fact<T> => ({ ok: true, value });
export const err = (
  api: string,
  code = "AccessDenied",
  message = `not authorized to perform ${api}`,
): { ok: false; error: FactError } => ({
  ok: false,
  error: { api, code, message },
});

export function trust(principal: unknown, extra: Record<string, unknown> = {}) {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...extra }],
  };
}
export const ECS_TRUST = trust({ Service: "ecs.amazonaws.com" });

export function policy(...statements: Record<string, unknown>[]) {
  return { Version: "2012-10-17", Statement: statements };
}

export interface RoleSpec {
  trust?: unknown | Fact<unknown>;
  attached?: string[];
  inline?: Record<string, unknown>;
  boundaryArn?: string;
  referencedBy?: RoleReference[];
  /** Override whole facts (errors, missing role). */
  role?: RoleFacts["role"];
  attachedPolicies?: RoleFacts["attachedPolicies"];
  inlinePolicies?: RoleFacts["inlinePolicies"];
}

function isFact(v: unknown): v is Fact<unknown> {
  return typeof v === "object" && v !== null && "ok" in v && typeof (v as { ok: unknown }).ok === "boolean";
}

export function role(name: string, spec: RoleSpec = {}): RoleFacts {
  const trustDoc = spec.trust ?? ECS_TRUST;
  return {
    ref: name,
    name,
    referencedBy: spec.referencedBy ?? [{ kind: "flag" }],
    role:
      spec.role ??
      ok({
        exists: true as const,
        arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
        name,
        path: "/",
        roleId: "AROAEXAMPLE",
        trustPolicy: isFact(trustDoc) ? trustDoc : ok(trustDoc),
        ...(spec.boundaryArn ? { permissionsBoundaryArn: spec.boundaryArn } : {}),
      }),
    attachedPolicies:
      spec.attachedPolicies ??
      ok((spec.attached ?? [VOLUMES_POLICY_ARN]).map((arn) => ({ name: arn.split("/").pop() ?? arn, arn }))),
    inlinePolicies:
      spec.inlinePolicies ??
      ok(Object.entries(spec.inline ?? {}).map(([n, d]) => ({ name: n, document: isFact(d) ? d : ok(d) }))),
  };
}

export const deletedRole = (name: string): RoleFacts =>
  role(name, {
    role: ok({ exists: false as const }),
    attachedPolicies: err("iam:ListAttachedRolePolicies", "NoSuchEntity"),
    inlinePolicies: err("iam:ListRolePolicies", "NoSuchEntity"),
  });

export function managed(arn: string, document: unknown, versionId = "v1"): [string, Fact<ManagedPolicy>] {
  return [
    arn,
    ok({
      arn,
      name: arn.split("/").pop() ?? arn,
      defaultVersionId: versionId,
      document: isFact(document) ? document : ok(document),
    }),
  ];
}

export function facts(
  roles: RoleFacts[],
  extra: Partial<Facts> & { policies?: [string, Fact<ManagedPolicy>][] } = {},
): Facts {
  const { policies, ...rest } = extra;
  return {
    schemaVersion: 1,
    collectedAt: "2026-11-27T12:00:00.000Z",
    region: REGION,
    caller: ok({
      account: ACCOUNT,
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/audit/ci`,
      userId: "AROAX:ci",
    }),
    scope: { clusters: [], services: [], tasks: [], roles: roles.map((r) => r.ref) },
    roles,
    managedPolicies: Object.fromEntries([
      managed(VOLUMES_POLICY_ARN, volumesPolicyDocument, "v5"),
      ...(policies ?? []),
    ]),
    // Outside any organization unless a test says otherwise: no SCP applies.
    organization: ok({ inOrganization: false }),
    ...rest,
  };
}

/** A member account of an organization (managed elsewhere): SCPs may apply. */
export const IN_ORGANIZATION = ok({
  inOrganization: true,
  managementAccountId: "999988887777",
  managementAccount: false,
});

/** One SimulatePrincipalPolicy EvaluationResult, as the collector keeps it (allowed, no SCP denial, by default). */
export function simulatedAction(
  action: string,
  extra: Partial<import("../../src/facts/types.ts").SimulatedAction> = {},
): import("../../src/facts/types.ts").SimulatedAction {
  return {
    action,
    evalDecision: "allowed",
    allowedByOrganizations: true,
    missingContextValues: [],
    matchedStatements: [
      { sourcePolicyId: "AmazonECSInfrastructureRolePolicyForVolumes", sourcePolicyType: "aws-managed" },
    ],
    ...extra,
  };
}

/** The role with a simulation of one use: one call's results (on `resources`), or the error that hid them. */
export function withSimulation(
  r: RoleFacts,
  use: string,
  results: import("../../src/facts/types.ts").SimulatedAction[] | FactError,
  resources: string[] = ["*"],
): RoleFacts {
  const fact = Array.isArray(results)
    ? ok({ calls: [{ resources, contextKeys: [], results }] })
    : { ok: false as const, error: results };
  return { ...r, simulations: { ...r.simulations, [use]: fact } };
}
