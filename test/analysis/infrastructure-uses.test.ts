import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  INFRASTRUCTURE_USES,
  infrastructureUse,
  usePolicyArn,
  usesOf,
} from "../../src/analysis/infrastructure-uses.ts";
import { requirementsFromPolicy } from "../../src/analysis/managed-policy-requests.ts";
import { MANAGED_INSTANCES_MODEL } from "../../src/analysis/use-request-models.ts";
import { evaluateIdentity, parsePolicy } from "../../src/iam/index.ts";
import type { Policy } from "../../src/iam/types.ts";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const LOC = {
  partition: "aws",
  region: REGION,
  account: ACCOUNT,
  roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructureRole`,
};

function fixture(name: string): { Version: string; Statement: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(new URL(`../../fixtures/policies/${name}`, import.meta.url), "utf8"));
}

function parsed(document: unknown, name = "custom"): Policy {
  const result = parsePolicy(document, { kind: "inline", name });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy;
}

/** The worst decision over every request of every requirement of the use, against these identity policies. */
function decisions(id: Parameters<typeof infrastructureUse>[0], identity: Policy[]) {
  return infrastructureUse(id).requirements.map((r) => ({
    action: r.action,
    resource: r.resource,
    decisions: r.requests(LOC).map((q) => evaluateIdentity(q, { identity }).decision),
  }));
}

describe("the uses table", () => {
  it("has the six uses, each with its managed policy at the path AWS gives it", () => {
    expect(INFRASTRUCTURE_USES.map((u) => [u.id, usePolicyArn(u)])).toEqual([
      ["ebs", "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForVolumes"],
      [
        "service-connect-tls",
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity",
      ],
      ["managed-instances", "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForManagedInstances"],
      [
        "express",
        "arn:aws:iam::aws:policy/service-role/AmazonECSInfrastructureRoleforExpressGatewayServices",
      ],
      ["vpc-lattice", "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice"],
      ["load-balancer", "arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"],
    ]);
    expect(usePolicyArn(infrastructureUse("vpc-lattice"), "aws-cn")).toBe(
      "arn:aws-cn:iam::aws:policy/AmazonECSInfrastructureRolePolicyForVpcLattice",
    );
  });

  it("names the session names AWS documents, and none for Express Mode", () => {
    expect(Object.fromEntries(INFRASTRUCTURE_USES.map((u) => [u.id, u.sessionNames]))).toEqual({
      ebs: ["ECSTaskVolumesForEBS"],
      "service-connect-tls": ["ECSServiceConnectForTLS"],
      "managed-instances": ["ECSManagedInstancesForCompute"],
      express: [],
      "vpc-lattice": ["ECSNetworkingWithVPCLattice"],
      "load-balancer": ["ECSNetworkingWithELB", "ecs-service-scheduler"],
    });
  });

  it("a policy file for each use is shipped under fixtures/policies at the version the table reads", () => {
    for (const use of INFRASTRUCTURE_USES) {
      const doc = fixture(`${use.policy.name}.${use.policy.version}.json`);
      expect(doc.Version, use.id).toBe("2012-10-17");
    }
  });

  it("the uses a role was seen in: a --role reference alone names none", () => {
    expect(usesOf({ referencedBy: [{ kind: "flag" }] })).toEqual([]);
    expect(
      usesOf({
        referencedBy: [
          { kind: "flag" },
          { kind: "capacity-provider", cluster: "c", capacityProvider: "mi", use: "managed-instances" },
          { kind: "task", cluster: "c", task: "t", status: "RUNNING" },
          { kind: "service", cluster: "c", service: "s", use: "load-balancer" },
        ],
      }).map((u) => u.id),
    ).toEqual(["ebs", "managed-instances", "load-balancer"]);
  });
});

describe("requirements read from the managed policies", () => {
  it("every action of each new use's policy is required, on every resource it is granted on", () => {
    for (const id of ["managed-instances", "express", "vpc-lattice", "load-balancer"] as const) {
      const use = infrastructureUse(id);
      const doc = fixture(`${use.policy.name}.${use.policy.version}.json`);
      const granted = new Set(
        doc.Statement.flatMap((s) => [s.Action].flat() as string[]).map((a) => a.toLowerCase()),
      );
      expect(new Set(use.requirements.map((r) => r.action.toLowerCase())), id).toEqual(granted);
    }
    const mi = infrastructureUse("managed-instances").requirements;
    expect(mi.filter((r) => r.action === "ec2:RunInstances").map((r) => r.resource)).toEqual([
      "arn:aws:ec2:*:*:instance/*",
      "arn:aws:ec2:*:*:volume/*",
      "arn:aws:ec2:*:*:network-interface/*",
      "arn:aws:ec2:*:*:launch-template/*",
      "arn:aws:ec2:*:*:subnet/*",
      "arn:aws:ec2:*:*:security-group/*",
      "arn:aws:ec2:*::image/*",
      "arn:aws:resource-groups:*:*:group/*",
    ]);
  });

  it("a security-group change is not required on a VPC (only CreateSecurityGroup names one)", () => {
    const express = infrastructureUse("express").requirements;
    expect(express.filter((r) => r.action === "ec2:DeleteSecurityGroup").map((r) => r.resource)).toEqual([
      "arn:aws:ec2:*:*:security-group/*",
    ]);
    expect(express.filter((r) => r.action === "ec2:CreateSecurityGroup").map((r) => r.resource)).toContain(
      "arn:aws:ec2:*:*:vpc/*",
    );
  });

  it("a condition key the model does not know stops the policy from being used", () => {
    const changed = fixture("AmazonECSInfrastructureRolePolicyForManagedInstances.v12.json");
    changed.Statement.push({
      Sid: "NewInV13",
      Effect: "Allow",
      Action: "ec2:CreateFleet",
      Resource: "*",
      Condition: { StringEquals: { "ec2:NewKey": "x" } },
    });
    expect(() => requirementsFromPolicy(changed as never, MANAGED_INSTANCES_MODEL)).toThrow(
      /condition key ec2:NewKey \(NewInV13\) is not modelled/,
    );
  });
});

describe("the request model (ECS's side of each key)", () => {
  for (const use of INFRASTRUCTURE_USES) {
    it(`${use.policy.name} allows every request ECS makes for ${use.label}`, () => {
      const managed = parsed(fixture(`${use.policy.name}.${use.policy.version}.json`), use.policy.name);
      const notAllowed = decisions(use.id, [managed]).filter((d) => d.decisions.some((x) => x !== "allow"));
      expect(notAllowed).toEqual([]);
    });
    it(`a role with no policy may do nothing ${use.label} needs`, () => {
      const all = decisions(use.id, []).flatMap((d) => d.decisions);
      expect(new Set(all)).toEqual(new Set(["implicit-deny"]));
    });
  }

  it("both service-linked roles an Express service needs are asked for: one of them alone is not enough", () => {
    const one = parsed({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "iam:CreateServiceLinkedRole",
          Resource: "*",
          Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
        },
      ],
    });
    const slr = decisions("express", [one]).find((d) => d.action === "iam:CreateServiceLinkedRole");
    expect(slr?.decisions).toEqual(["implicit-deny", "allow"]);
  });

  it("EC2 describe calls are judged against *: granting them on instance/* does not allow them", () => {
    const narrow = parsed({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "ec2:DescribeSubnets", Resource: "arn:aws:ec2:*:*:subnet/*" }],
    });
    const d = decisions("vpc-lattice", [narrow]).find((x) => x.action === "ec2:DescribeSubnets");
    expect(d?.decisions).toEqual(["implicit-deny"]);
  });

  it("a call granted on * names some resource: a narrower grant cannot be decided, never passes", () => {
    const narrow = parsed({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "cloudformation:DescribeStacks",
          Resource: "arn:aws:cloudformation:*:*:stack/capacity-*/*",
        },
      ],
    });
    const d = decisions("managed-instances", [narrow]).find(
      (x) => x.action === "cloudformation:DescribeStacks",
    );
    expect(d?.decisions).toEqual(["conditional"]);
  });

  it("the instance role is passed to EC2 (iam:PassedToService), only roles named ecsInstanceRole*", () => {
    const [passRole] = infrastructureUse("managed-instances").requirements.filter(
      (r) => r.action === "iam:PassRole",
    );
    const [request] = passRole?.requests(LOC) ?? [];
    expect(request?.resource).toEqual({
      kind: "pattern",
      pattern: `arn:aws:iam::${ACCOUNT}:role/ecsInstanceRole*`,
    });
    expect(request?.context["iam:passedtoservice"]).toEqual({ kind: "exact", values: ["ec2.amazonaws.com"] });
    const toEcs = parsed({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: "*",
          Condition: { StringEquals: { "iam:PassedToService": "ecs.amazonaws.com" } },
        },
      ],
    });
    expect(request && evaluateIdentity(request, { identity: [toEcs] }).decision).toBe("implicit-deny");
  });

  it("a Deny on resources not tagged AmazonECSManaged does not reach what ECS created for Express Mode", () => {
    const managed = parsed(
      fixture("AmazonECSInfrastructureRoleforExpressGatewayServices.v6.json"),
      "express",
    );
    const guard = parsed({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Deny",
          Action: "elasticloadbalancing:Delete*",
          Resource: "*",
          Condition: { StringNotEquals: { "aws:ResourceTag/AmazonECSManaged": "true" } },
        },
      ],
    });
    const deletes = decisions("express", [managed, guard]).filter((d) =>
      d.action.startsWith("elasticloadbalancing:Delete"),
    );
    expect(deletes.length).toBeGreaterThan(0);
    expect(new Set(deletes.flatMap((d) => d.decisions))).toEqual(new Set(["allow"]));
  });
});
