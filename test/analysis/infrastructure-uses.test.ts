import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CALL_TAGS, carriesTags } from "../../src/analysis/call-tags.ts";
import {
  INFRASTRUCTURE_USES,
  infrastructureUse,
  usePolicyArn,
  usesOf,
} from "../../src/analysis/infrastructure-uses.ts";
import { requestedRegion, requirementsFromPolicy } from "../../src/analysis/managed-policy-requests.ts";
import { EXPRESS_MODEL, MANAGED_INSTANCES_MODEL } from "../../src/analysis/use-request-models.ts";
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

/** One statement allowing `action` on every resource, only with AmazonECSManaged=true as a request tag. */
const onlyWithRequestTag = (action: string) =>
  parsed({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: action,
        Resource: "*",
        Condition: { StringEquals: { "aws:RequestTag/AmazonECSManaged": "true" } },
      },
    ],
  });

const MODELLED = ["managed-instances", "express", "vpc-lattice", "load-balancer"] as const;

describe("which calls carry tags (aws:RequestTag), stated per action", () => {
  it("every action of the four policies is stated, once, and an unstated one stops the policy from being used", () => {
    const stated = [...CALL_TAGS.tagged, ...CALL_TAGS.untagged].map((a) => a.toLowerCase());
    expect(new Set(stated).size).toBe(stated.length);
    for (const id of MODELLED)
      for (const r of infrastructureUse(id).requirements)
        expect(carriesTags(r.action), `${id} ${r.action}`).toBeTypeOf("boolean");
    const changed = fixture("AmazonECSInfrastructureRolePolicyForManagedInstances.v12.json");
    changed.Statement.push({ Sid: "New", Effect: "Allow", Action: "ec2:CreateNewThing", Resource: "*" });
    expect(() => requirementsFromPolicy(changed as never, MANAGED_INSTANCES_MODEL)).toThrow(
      /whether ec2:CreateNewThing \(New\) carries tags is not modelled/,
    );
  });

  for (const [id, action] of [
    ["managed-instances", "iam:CreateServiceLinkedRole"],
    ["express", "iam:CreateServiceLinkedRole"],
    ["managed-instances", "ec2:CreateLaunchTemplateVersion"],
    ["express", "application-autoscaling:PutScalingPolicy"],
    ["express", "elasticloadbalancing:AddListenerCertificates"],
  ] as const)
    it(`${id}: ${action} carries no tags, so an Allow only with aws:RequestTag does not allow it`, () => {
      const d = decisions(id, [onlyWithRequestTag(action)]).filter((x) => x.action === action);
      expect(d.length).toBeGreaterThan(0);
      expect(new Set(d.flatMap((x) => x.decisions))).toEqual(new Set(["implicit-deny"]));
    });

  it("every call stated untagged, in every use, has its request-tag keys absent (an Allow on aws:RequestTag never applies)", () => {
    for (const id of MODELLED)
      for (const r of infrastructureUse(id).requirements.filter((x) => carriesTags(x.action) === false))
        for (const q of r.requests(LOC))
          expect(evaluateIdentity(q, { identity: [onlyWithRequestTag(r.action)] }).decision, r.action).toBe(
            "implicit-deny",
          );
  });

  it("a creating call still carries ECS's tag: an Allow on aws:RequestTag allows ec2:CreateFleet on what it creates", () => {
    const d = decisions("managed-instances", [onlyWithRequestTag("ec2:CreateFleet")]).filter(
      (x) => x.action === "ec2:CreateFleet" && x.resource === "arn:aws:ec2:*:*:instance/*",
    );
    expect(d.flatMap((x) => x.decisions)).toEqual(["allow"]);
  });
});

describe("calls ECS also makes later, untagged", () => {
  for (const action of [
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:AuthorizeSecurityGroupEgress",
    "application-autoscaling:RegisterScalableTarget",
  ])
    it(`${action} allowed only with aws:RequestTag: the later untagged call is refused`, () => {
      const d = decisions("express", [onlyWithRequestTag(action)]).filter((x) => x.action === action);
      const all = d.flatMap((x) => x.decisions);
      expect(all).toContain("allow");
      expect(all).toContain("implicit-deny");
    });

  it("ec2:Authorize* carries its tags to the new rule only: the group it names is judged untagged", () => {
    const tagsOf = (resource: string) =>
      infrastructureUse("express")
        .requirements.filter(
          (r) => r.action === "ec2:AuthorizeSecurityGroupIngress" && r.resource === resource,
        )
        .flatMap((r) => r.requests(LOC))
        .map(
          (q) =>
            q.context["aws:RequestTag/AmazonECSManaged"]?.kind ??
            (q.absentKeys?.includes("aws:RequestTag/") ? "absent" : "unknown"),
        );
    expect(tagsOf("arn:aws:ec2:*:*:security-group/*")).toEqual(["absent", "absent"]);
    expect(tagsOf("arn:aws:ec2:*:*:security-group-rule/*")).toEqual(["exact"]);
  });

  it("RegisterScalableTarget is asked for twice: creating (tagged) and updating (untagged)", () => {
    const [r] = infrastructureUse("express").requirements.filter(
      (x) => x.action === "application-autoscaling:RegisterScalableTarget",
    );
    const requests = r?.requests(LOC) ?? [];
    expect(requests.map((q) => q.context["aws:RequestTag/AmazonECSManaged"]?.kind ?? "absent")).toEqual([
      "exact",
      "absent",
    ]);
    expect(requests[1]?.absentKeys).toEqual(expect.arrayContaining(["aws:RequestTag/", "aws:TagKeys"]));
  });

  it("EC2 creating calls: the subnet, security group, AMI and launch template named carry no tags", () => {
    const runInstances = decisions("managed-instances", [onlyWithRequestTag("ec2:RunInstances")]).filter(
      (x) => x.action === "ec2:RunInstances",
    );
    const by = Object.fromEntries(runInstances.map((x) => [x.resource, x.decisions]));
    expect(by["arn:aws:ec2:*:*:instance/*"]).toEqual(["allow"]);
    expect(by["arn:aws:ec2:*:*:volume/*"]).toEqual(["allow"]);
    expect(by["arn:aws:ec2:*:*:subnet/*"]).toEqual(["implicit-deny"]);
    expect(by["arn:aws:ec2:*:*:launch-template/*"]).toEqual(["implicit-deny"]);
    expect(by["arn:aws:ec2:*::image/*"]).toEqual(["implicit-deny"]);
  });
});

describe("Express ELB actions, each on the resource types it authorises", () => {
  /** A least-privilege copy of ELBOperations: each action only on the type it authorises, tagged by ECS. */
  const TYPES: Record<string, string[]> = {
    loadbalancer: ["CreateLoadBalancer", "DeleteLoadBalancer", "CreateListener"],
    listener: [
      "CreateListener",
      "CreateRule",
      "ModifyListener",
      "DeleteListener",
      "AddListenerCertificates",
      "RemoveListenerCertificates",
    ],
    "listener-rule": ["CreateRule", "ModifyRule", "DeleteRule"],
    targetgroup: ["CreateTargetGroup", "DeleteTargetGroup", "RegisterTargets", "DeregisterTargets"],
  };
  const ARNS: Record<string, string> = {
    loadbalancer: "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
    listener: "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
    "listener-rule": "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*/*",
    targetgroup: "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
  };
  function leastPrivilege() {
    const doc = fixture("AmazonECSInfrastructureRoleforExpressGatewayServices.v6.json");
    doc.Statement = doc.Statement.flatMap((s) =>
      s.Sid !== "ELBOperations"
        ? [s]
        : Object.entries(TYPES).map(([type, actions]) => ({
            Sid: `ELB${type.replace("-", "")}`,
            Effect: "Allow",
            Action: actions.map((a) => `elasticloadbalancing:${a}`),
            Resource: ARNS[type],
            Condition: s.Condition,
          })),
    );
    return doc;
  }

  it("a least-privilege copy granting each ELB action only on its own type passes every request", () => {
    const notAllowed = decisions("express", [parsed(leastPrivilege())]).filter((d) =>
      d.decisions.some((x) => x !== "allow"),
    );
    expect(notAllowed).toEqual([]);
  });

  it("each ELB action is required only on the types it authorises", () => {
    const express = infrastructureUse("express").requirements;
    const on = (action: string) =>
      express.filter((r) => r.action === `elasticloadbalancing:${action}`).map((r) => r.resource);
    expect(on("DeleteLoadBalancer")).toEqual([ARNS.loadbalancer]);
    expect(on("ModifyRule")).toEqual([ARNS["listener-rule"]]);
    expect(on("RegisterTargets")).toEqual([ARNS.targetgroup]);
    expect(on("AddListenerCertificates")).toEqual([ARNS.listener]);
  });

  it("the copy without DeleteListener on listeners still fails DeleteListener", () => {
    const doc = leastPrivilege();
    for (const s of doc.Statement)
      if (s.Sid === "ELBlistener")
        s.Action = (s.Action as string[]).filter((a) => a !== "elasticloadbalancing:DeleteListener");
    const d = decisions("express", [parsed(doc)]).filter(
      (x) => x.action === "elasticloadbalancing:DeleteListener",
    );
    expect(d.flatMap((x) => x.decisions)).toEqual(["implicit-deny"]);
  });

  it("a statement granting an action only on types it never authorises is an error, not a silent omission", () => {
    const doc = {
      Statement: [
        { Sid: "Odd", Effect: "Allow", Action: "ec2:DeleteSecurityGroup", Resource: "arn:aws:ec2:*:*:vpc/*" },
      ],
    };
    expect(() => requirementsFromPolicy(doc, EXPRESS_MODEL)).toThrow(
      /ec2:DeleteSecurityGroup \(Odd\) is authorised on none of its resources/,
    );
  });
});

describe("IAM calls are made in IAM's Region", () => {
  /** The usual Region lock: anything outside the role's Region is denied. */
  const regionLock = (region: string, notAction?: string) =>
    parsed({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "*", Resource: "*" },
        {
          Effect: "Deny",
          ...(notAction ? { NotAction: notAction } : { Action: "*" }),
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": [region] } },
        },
      ],
    });

  it("a Region lock to the role's Region denies iam:CreateServiceLinkedRole (sent to us-east-1), not iam:PassRole", () => {
    const d = decisions("managed-instances", [regionLock(REGION)]);
    expect(d.find((x) => x.action === "iam:CreateServiceLinkedRole")?.decisions).toEqual(["explicit-deny"]);
    expect(d.find((x) => x.action === "iam:PassRole")?.decisions).toEqual(["allow"]);
    expect(d.find((x) => x.action === "ec2:CreateFleet")?.decisions).toContain("allow");
    const express = decisions("express", [regionLock(REGION)]);
    expect(new Set(express.find((x) => x.action === "iam:CreateServiceLinkedRole")?.decisions)).toEqual(
      new Set(["explicit-deny"]),
    );
  });

  it("a Region lock that exempts IAM (NotAction iam:*) passes", () => {
    const d = decisions("managed-instances", [regionLock(REGION, "iam:*")]);
    expect(d.filter((x) => x.decisions.some((y) => y !== "allow"))).toEqual([]);
  });

  it("IAM's Region in each partition: us-east-1, cn-north-1, us-gov-west-1; an unknown partition's is unknown", () => {
    const at = (partition: string) => ({ ...LOC, partition });
    expect(requestedRegion("iam:CreateServiceLinkedRole", at("aws"))).toBe("us-east-1");
    expect(requestedRegion("iam:CreateServiceLinkedRole", at("aws-cn"))).toBe("cn-north-1");
    expect(requestedRegion("iam:CreateServiceLinkedRole", at("aws-us-gov"))).toBe("us-gov-west-1");
    expect(requestedRegion("iam:PassRole", at("aws-cn"))).toBe(REGION);
    expect(requestedRegion("ec2:CreateFleet", at("aws"))).toBe(REGION);
    expect(requestedRegion("iam:CreateServiceLinkedRole", at("aws-new"))).toBeUndefined();
    const slr = infrastructureUse("express").requirements.find(
      (r) => r.action === "iam:CreateServiceLinkedRole",
    );
    const [q] = slr?.requests({ ...LOC, partition: "aws-new" }) ?? [];
    expect(q && evaluateIdentity(q, { identity: [regionLock(REGION)] }).decision).toBe("conditional");
  });
});
