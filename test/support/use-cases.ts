import { readFileSync } from "node:fs";
import { expect } from "vitest";
import { infrastructureUse, usePolicyArn } from "../../src/analysis/infrastructure-uses.ts";
import type { ClusterFacts, Fact, InfrastructureUseId, RoleReference } from "../../src/facts/types.ts";
import { ACCOUNT, deletedRole, err, facts, managed, ok, policy, role } from "./facts.ts";
import type { RuleCase } from "./rule-tester.ts";

/**
 * The table every per-use permission rule shares (managed-instances-permissions, express-permissions,
 * vpc-lattice-permissions, load-balancer-permissions): the same situations, built for the use's own reference,
 * managed policy (its shipped default version) and actions. Each rule's test adds the rows that are its own.
 */

const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`;

/** What names the role for the use: a capacity provider, an Express service, or a service's configuration. */
export function referenceFor(use: InfrastructureUseId, name = "shop"): RoleReference {
  if (use === "managed-instances")
    return { kind: "capacity-provider", cluster: CLUSTER, capacityProvider: name, use };
  if (use === "express") return { kind: "express-service", cluster: CLUSTER, service: name, use };
  if (use === "ebs" || use === "service-connect-tls" || use === "vpc-lattice" || use === "load-balancer")
    return { kind: "service", cluster: CLUSTER, service: name, use };
  throw new Error(`no reference for ${use}`);
}

/** The use's managed policy document, verbatim (a fresh parse each time: a case may edit its copy). */
export function usePolicyDocument(use: InfrastructureUseId): { Statement: Record<string, unknown>[] } {
  const { name, version } = infrastructureUse(use).policy;
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/policies/${name}.${version}.json`, import.meta.url), "utf8"),
  );
}

/** The managed policy's document without one action: a hand-trimmed customer copy. */
export function copyWithout(use: InfrastructureUseId, action: string) {
  const doc = usePolicyDocument(use);
  doc.Statement = doc.Statement.map((s) => ({
    ...s,
    Action: ([] as string[]).concat(s.Action as string | string[]).filter((a) => a !== action),
  })).filter((s) => (s.Action as string[]).length > 0);
  return doc;
}

/**
 * A customer copy of the use's managed policy in which `action` is allowed only on requests tagged
 * AmazonECSManaged=true (a common hand-tightening): the useFacts spec and extra for it.
 */
export function copyRequiringRequestTag(use: InfrastructureUseId, action: string) {
  const copy = copyWithout(use, action);
  copy.Statement.push({
    Sid: "OnlyTagged",
    Effect: "Allow",
    Action: action,
    Resource: "*",
    Condition: { StringEquals: { "aws:RequestTag/AmazonECSManaged": "true" } },
  });
  const spec: Parameters<typeof role>[1] = { attached: [CUSTOMER] };
  return [spec, { policies: [managed(CUSTOMER, copy)] }] as [
    typeof spec,
    { policies: ReturnType<typeof managed>[] },
  ];
}

/** ELBOperations split by resource type: each action only on the type it authorises (a least-privilege copy). */
export function leastPrivilegeElbCopy() {
  const arn = (type: string) => `arn:aws:elasticloadbalancing:*:*:${type}`;
  const by: [string, string[]][] = [
    [arn("loadbalancer/app/*/*"), ["CreateLoadBalancer", "DeleteLoadBalancer", "CreateListener"]],
    [
      arn("listener/app/*/*/*"),
      [
        "CreateListener",
        "CreateRule",
        "ModifyListener",
        "DeleteListener",
        "AddListenerCertificates",
        "RemoveListenerCertificates",
      ],
    ],
    [arn("listener-rule/app/*/*/*/*"), ["CreateRule", "ModifyRule", "DeleteRule"]],
    [
      arn("targetgroup/*/*"),
      ["CreateTargetGroup", "DeleteTargetGroup", "RegisterTargets", "DeregisterTargets"],
    ],
  ];
  const doc = usePolicyDocument("express");
  doc.Statement = doc.Statement.flatMap((s) =>
    s.Sid !== "ELBOperations"
      ? [s]
      : by.map(([resource, actions], i) => ({
          Sid: `ELB${i}`,
          Effect: "Allow",
          Action: actions.map((a) => `elasticloadbalancing:${a}`),
          Resource: resource,
          Condition: s.Condition,
        })),
  );
  return doc;
}

/** An inline Region lock: every action outside `region` denied (IAM's own calls are made in us-east-1). */
export const regionLock = (region = "us-east-1", notAction?: string) =>
  policy({
    Sid: "RegionLock",
    Effect: "Deny",
    ...(notAction ? { NotAction: notAction } : { Action: "*" }),
    Resource: "*",
    Condition: { StringNotEquals: { "aws:RequestedRegion": [region] } },
  });

/** The role `name` with the use's managed policy attached, named for the use, in facts that carry the policy. */
export function useFacts(use: InfrastructureUseId, spec: Parameters<typeof role>[1] = {}, extra = {}) {
  const u = infrastructureUse(use);
  const arn = usePolicyArn(u);
  const { policies = [], ...rest } = extra as { policies?: ReturnType<typeof managed>[] };
  return facts([role("infra", { attached: [arn], referencedBy: [referenceFor(use)], ...spec })], {
    policies: [managed(arn, usePolicyDocument(use), u.policy.version), ...policies],
    ...rest,
  });
}

export const USE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/infra`;

/** A cluster every read of which answered (nothing in it), with `overrides` in place. */
export function readCluster(overrides: Partial<ClusterFacts> = {}): ClusterFacts {
  return {
    arn: CLUSTER,
    name: "prod",
    services: ok([]),
    tasks: ok([]),
    capacityProviders: ok([]),
    expressServices: ok([]),
    ...overrides,
  };
}

/** The read that tells which roles the use names, failing in the cluster (the call, as ECS's error names it). */
export function failedUseRead(use: InfrastructureUseId): { api: string; cluster: Partial<ClusterFacts> } {
  if (use === "managed-instances")
    return {
      api: "ecs:DescribeCapacityProviders",
      cluster: { capacityProviders: err("ecs:DescribeCapacityProviders", "AccessDeniedException") },
    };
  if (use === "express")
    return {
      api: "ecs:DescribeExpressGatewayService",
      cluster: { expressServices: err("ecs:DescribeExpressGatewayService", "AccessDeniedException") },
    };
  return {
    api: "ecs:DescribeServices",
    cluster: { services: err("ecs:DescribeServices", "AccessDeniedException") as Fact<never> },
  };
}
const ARN = USE_ROLE_ARN;
const CUSTOMER = `arn:aws:iam::${ACCOUNT}:policy/copy`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/boundary`;

/** The shared rows for one use; `action` is one of its managed policy's actions, the one the failing rows take away. */
export function useRuleCases(use: InfrastructureUseId, action: string) {
  const u = infrastructureUse(use);
  const attachedArn = usePolicyArn(u);
  const actionRe = new RegExp(action.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const valid: RuleCase[] = [
    {
      name: `the managed policy ${u.policy.name} ${u.policy.version} attached and ECS trusted`,
      facts: useFacts(use),
      expect: { [ARN]: "pass" },
      message: { [ARN]: new RegExp(`every action of ${u.policy.name} ${u.policy.version}`) },
      assert: ([f]) => {
        const actions = f?.details?.actions as Record<string, { decision: string }>;
        expect(Object.keys(actions)).toContain(action);
        expect(Object.values(actions).every((a) => a.decision === "allow")).toBe(true);
      },
    },
    {
      name: "a customer copy of the whole managed policy (not the AWS one) holds the same actions",
      facts: useFacts(
        use,
        { attached: [CUSTOMER] },
        { policies: [managed(CUSTOMER, usePolicyDocument(use))] },
      ),
      expect: { [ARN]: "pass" },
    },
    {
      name: "a role used only for something else is not this rule's business",
      facts: facts([
        role("infra", { referencedBy: [referenceFor(use === "ebs" ? "managed-instances" : "ebs")] }),
      ]),
      expect: {},
    },
    {
      name: "every ECS read answered: only the role's finding, no gap",
      facts: { ...useFacts(use), ecs: { clusters: ok([readCluster()]) } },
      expect: { [ARN]: "pass" },
    },
    {
      name: "a role named only with --role is not judged for this use",
      facts: facts([role("infra")]),
      expect: {},
    },
  ];
  const invalid: RuleCase[] = [
    {
      name: `a customer copy missing ${action}: fail naming it and what breaks`,
      facts: useFacts(
        use,
        { attached: [CUSTOMER] },
        { policies: [managed(CUSTOMER, copyWithout(use, action))] },
      ),
      expect: { [ARN]: "fail" },
      message: { [ARN]: actionRe },
      assert: ([f]) => {
        expect(f?.message).toContain(u.breaks);
        expect(f?.remediation).toContain(attachedArn);
        const actions = f?.details?.actions as Record<string, { decision: string }>;
        expect(actions[action]?.decision).toBe("implicit-deny");
      },
    },
    {
      name: `a permissions boundary that denies ${action}: fail naming the statement`,
      facts: useFacts(
        use,
        { boundaryArn: BOUNDARY },
        {
          policies: [
            managed(
              BOUNDARY,
              policy(
                { Effect: "Allow", Action: "*", Resource: "*" },
                { Sid: "NoThat", Effect: "Deny", Action: action, Resource: "*" },
              ),
            ),
          ],
        },
      ),
      expect: { [ARN]: "fail" },
      message: { [ARN]: new RegExp(`${actionRe.source} denied by .*NoThat`) },
      assert: ([f]) => expect(f?.remediation).toMatch(/boundary/),
    },
    {
      name: "a Deny that may apply (a condition on aws:SourceVpc) is unknown",
      facts: useFacts(use, {
        inline: {
          guard: policy({
            Effect: "Deny",
            Action: action,
            Resource: "*",
            Condition: { StringNotEquals: { "aws:SourceVpc": "vpc-0abc" } },
          }),
        },
      }),
      expect: { [ARN]: "unknown" },
      message: {
        [ARN]: new RegExp(`${actionRe.source} may be denied, depending on conditions on aws:SourceVpc`),
      },
    },
    {
      name: "a trust policy that does not let ECS assume it: fail",
      facts: useFacts(use, {
        trust: policy({
          Effect: "Allow",
          Principal: { Service: "ec2.amazonaws.com" },
          Action: "sts:AssumeRole",
        }),
      }),
      expect: { [ARN]: "fail" },
      message: { [ARN]: /does not let ecs\.amazonaws\.com assume it/ },
    },
    {
      name: "GetRole denied: unknown",
      facts: useFacts(use, { role: err("iam:GetRole") }),
      expect: { [ARN]: "unknown" },
      message: { [ARN]: /iam:GetRole failed with AccessDenied/ },
    },
    {
      name: "the role's policies cannot be read: unknown",
      facts: useFacts(use, { attachedPolicies: err("iam:ListAttachedRolePolicies") }),
      expect: { [ARN]: "unknown" },
    },
    {
      name: "the managed policy's default version cannot be read: unknown",
      facts: facts([role("infra", { attached: [attachedArn], referencedBy: [referenceFor(use)] })], {
        policies: [[attachedArn, err("iam:GetPolicyVersion")]],
      }),
      expect: { [ARN]: "unknown" },
    },
    {
      name: "the role was deleted: fail, saying what breaks",
      facts: facts([{ ...deletedRole("infra"), referencedBy: [referenceFor(use)] }]),
      expect: { [ARN]: "fail" },
      message: { [ARN]: new RegExp(`infra \\(${u.label} of .*prod/shop\\) does not exist: `) },
      assert: ([f]) => {
        expect(f?.message).toContain(u.breaks);
        expect(f?.remediation).toMatch(/aws iam create-role/);
        expect(f?.remediation).toContain(attachedArn);
        expect(f?.remediation).not.toContain("--path");
      },
    },
    {
      name: `the cluster's ${failedUseRead(use).api} denied: unknown for the cluster, naming the call and error`,
      facts: { ...useFacts(use), ecs: { clusters: ok([readCluster(failedUseRead(use).cluster)]) } },
      expect: { [ARN]: "pass", [CLUSTER]: "unknown" },
      message: {
        [CLUSTER]: new RegExp(
          `Could not check the .* of cluster prod \\(and the roles they name for ${u.label.replace("/", "\\/")}\\): ${failedUseRead(use).api} failed with AccessDeniedException`,
        ),
      },
    },
    {
      name: "ListClusters denied: unknown for every cluster, even with no role named",
      facts: facts([], { ecs: { clusters: err("ecs:ListClusters", "AccessDeniedException") } }),
      expect: { [`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/*`]: "unknown" },
      message: {
        [`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/*`]: /ecs:ListClusters failed with AccessDeniedException/,
      },
    },
    {
      name: "the role was deleted, named with a path: the fix recreates it under that path",
      facts: facts([
        {
          ...deletedRole("infra"),
          ref: `arn:aws:iam::${ACCOUNT}:role/teams/shop/infra`,
          referencedBy: [referenceFor(use)],
        },
      ]),
      expect: { [`arn:aws:iam::${ACCOUNT}:role/teams/shop/infra`]: "fail" },
      assert: ([f]) => {
        expect(f?.remediation).toMatch(
          /aws iam create-role --role-name '?infra'? --path '?\/teams\/shop\/'? /,
        );
        expect(f?.remediation).toContain(attachedArn);
      },
    },
  ];
  return { valid, invalid };
}
