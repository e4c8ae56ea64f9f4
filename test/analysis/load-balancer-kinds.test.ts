import type { LoadBalancer } from "@aws-sdk/client-ecs";
import { describe, expect, it } from "vitest";
import { infrastructureUse, requirementsFor } from "../../src/analysis/infrastructure-uses.ts";
import {
  loadBalancerKindOf,
  loadBalancerKinds,
  roleLoadBalancerKinds,
} from "../../src/analysis/load-balancer-kinds.ts";
import { simulationCalls } from "../../src/analysis/simulation-calls.ts";
import { serviceFacts } from "../../src/collect/ecs-shapes.ts";
import type { LoadBalancerKind, RoleReference } from "../../src/facts/types.ts";

/**
 * Which load balancers a blue/green role serves, from the ARNs a service's advancedConfiguration names, and which of
 * the load balancers policy's requirements that keeps: only the kinds in use, every kind when that is not known.
 */

const ELB = "arn:aws:elasticloadbalancing:eu-west-1:111122223333";
const ALB_RULE = `${ELB}:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee`;
const ALB_LISTENER = `${ELB}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const NLB_LISTENER = `${ELB}:listener/net/tcp/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const GWLB_LISTENER = `${ELB}:listener/gwy/inspect/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const TARGET_GROUP = `${ELB}:targetgroup/blue/73e2d6bc24d8a067`;
const ROLE = "arn:aws:iam::111122223333:role/bluegreen";
const CLUSTER = "arn:aws:ecs:eu-west-1:111122223333:cluster/prod";

const lbRef = (service: string, kinds?: LoadBalancerKind[]): RoleReference => ({
  kind: "service",
  cluster: CLUSTER,
  service,
  use: "load-balancer",
  ...(kinds ? { loadBalancerKinds: kinds } : {}),
});

const LB = infrastructureUse("load-balancer");
/** The requirements kept for a role, as "action resource-type/kind". */
const kept = (referencedBy: RoleReference[]) =>
  requirementsFor(LB, { referencedBy }).map(
    (r) => `${r.action} ${(r.resource ?? "").split(":").pop()?.split("/").slice(0, 2).join("/")}`,
  );
const ALB_LISTENERS = "elasticloadbalancing:ModifyListener listener/app";
const NLB_LISTENERS = "elasticloadbalancing:ModifyListener listener/net";
const ALB_RULES = "elasticloadbalancing:ModifyRule listener-rule/app";

describe("loadBalancerKindOf: the kind a listener or listener rule ARN is of", () => {
  const cases: [string, LoadBalancerKind | undefined][] = [
    [ALB_RULE, "application"],
    [ALB_LISTENER, "application"],
    [NLB_LISTENER, "network"],
    [GWLB_LISTENER, undefined],
    [TARGET_GROUP, undefined],
    [`arn:aws:ecs:eu-west-1:111122223333:listener/net/x/y/z`, undefined],
    ["listener/net/x/y/z", undefined],
    ["", undefined],
  ];
  it.each(cases)("%s → %s", (arn, kind) => {
    expect(loadBalancerKindOf(arn)).toBe(kind);
  });
});

describe("loadBalancerKinds: the kinds of the load balancers naming one role", () => {
  it("an ALB's production and test listener rules: application", () => {
    expect(loadBalancerKinds([{ productionListenerRule: ALB_RULE, testListenerRule: ALB_RULE }])).toEqual([
      "application",
    ]);
  });
  it("an NLB's production listener (no test listener): network", () => {
    expect(loadBalancerKinds([{ productionListenerRule: NLB_LISTENER }])).toEqual(["network"]);
  });
  it("an ALB and an NLB naming the same role: both, sorted", () => {
    expect(
      loadBalancerKinds([{ productionListenerRule: NLB_LISTENER }, { productionListenerRule: ALB_RULE }]),
    ).toEqual(["application", "network"]);
  });
  it("a load balancer naming no route, or a route of another shape: not known", () => {
    expect(loadBalancerKinds([{}])).toBeUndefined();
    expect(
      loadBalancerKinds([{ productionListenerRule: ALB_RULE }, { productionListenerRule: undefined }]),
    ).toBeUndefined();
    expect(
      loadBalancerKinds([{ productionListenerRule: ALB_RULE, testListenerRule: GWLB_LISTENER }]),
    ).toBeUndefined();
    expect(loadBalancerKinds([])).toBeUndefined();
  });
});

describe("serviceFacts: DescribeServices' advancedConfiguration decides the role entry's kinds", () => {
  const service = (...loadBalancers: LoadBalancer[]) =>
    serviceFacts({ serviceArn: `${CLUSTER.replace(":cluster/", ":service/")}/web`, loadBalancers });
  const lb = (productionListenerRule?: string, testListenerRule?: string, roleArn = ROLE): LoadBalancer => ({
    targetGroupArn: TARGET_GROUP,
    advancedConfiguration: {
      alternateTargetGroupArn: TARGET_GROUP,
      roleArn,
      productionListenerRule,
      testListenerRule,
    },
  });
  it("an ALB's listener rules: the entry says application", () => {
    expect(service(lb(ALB_RULE, ALB_RULE))?.infrastructureRoles).toEqual([
      { roleArn: ROLE, use: "load-balancer", loadBalancerKinds: ["application"] },
    ]);
  });
  it("two load balancers, an ALB and an NLB, naming one role: one entry with both", () => {
    expect(service(lb(ALB_RULE), lb(NLB_LISTENER))?.infrastructureRoles).toEqual([
      { roleArn: ROLE, use: "load-balancer", loadBalancerKinds: ["application", "network"] },
    ]);
  });
  it("two roles: each its own load balancer's kind", () => {
    expect(service(lb(ALB_RULE), lb(NLB_LISTENER, undefined, `${ROLE}2`))?.infrastructureRoles).toEqual([
      { roleArn: ROLE, use: "load-balancer", loadBalancerKinds: ["application"] },
      { roleArn: `${ROLE}2`, use: "load-balancer", loadBalancerKinds: ["network"] },
    ]);
  });
  it("no route named, or one of another shape: no kinds (not known)", () => {
    expect(service(lb())?.infrastructureRoles).toEqual([{ roleArn: ROLE, use: "load-balancer" }]);
    expect(service(lb(ALB_RULE), lb(GWLB_LISTENER))?.infrastructureRoles).toEqual([
      { roleArn: ROLE, use: "load-balancer" },
    ]);
  });
});

describe("requirementsFor the load-balancer use: only the listener actions of the kinds in use", () => {
  it("every service on ALBs: no ModifyListener on listener/net", () => {
    const reqs = kept([lbRef("a", ["application"]), lbRef("b", ["application"])]);
    expect(reqs).toContain(ALB_LISTENERS);
    expect(reqs).toContain(ALB_RULES);
    expect(reqs).not.toContain(NLB_LISTENERS);
    // What is not per kind stays: the Describe calls and the target group moves.
    expect(reqs).toContain("elasticloadbalancing:RegisterTargets targetgroup/*");
    expect(reqs).toContain("elasticloadbalancing:DescribeListeners *");
  });
  it("on an NLB: ModifyListener on listener/net only, no ModifyRule", () => {
    const reqs = kept([lbRef("a", ["network"])]);
    expect(reqs).toContain(NLB_LISTENERS);
    expect(reqs).not.toContain(ALB_LISTENERS);
    expect(reqs).not.toContain(ALB_RULES);
  });
  it("ALB and NLB services: both kinds' requirements", () => {
    expect(kept([lbRef("a", ["application"]), lbRef("b", ["network"])])).toEqual(kept([]));
  });
  it("what cannot be told requires every kind (fail closed)", () => {
    const all = LB.requirements.length;
    // A role named only with --role: no service says what it serves.
    expect(requirementsFor(LB, { referencedBy: [{ kind: "flag" }] })).toHaveLength(all);
    // A service whose kinds are not known (older facts), even beside one whose are.
    expect(kept([lbRef("a", ["application"]), lbRef("b")])).toHaveLength(all);
    // No role at all.
    expect(requirementsFor(LB)).toHaveLength(all);
    expect(kept([])).toContain(NLB_LISTENERS);
  });
  it("roleLoadBalancerKinds: the union of the services' kinds; other uses' references do not count", () => {
    expect(
      roleLoadBalancerKinds({
        referencedBy: [
          lbRef("a", ["network"]),
          { kind: "service", cluster: CLUSTER, service: "b", use: "ebs" },
          { kind: "flag" },
        ],
      }),
    ).toEqual(new Set(["network"]));
    expect(roleLoadBalancerKinds({ referencedBy: [{ kind: "flag" }] })).toBeUndefined();
  });
  it("the SCP simulation asks about the same requirements", () => {
    const loc = { partition: "aws", region: "eu-west-1", account: "111122223333", roleArn: ROLE };
    const resources = (referencedBy?: RoleReference[]) =>
      simulationCalls(LB, loc, referencedBy ? { role: { referencedBy } } : {})
        .filter((c) => c.actions.includes("elasticloadbalancing:ModifyListener"))
        .flatMap((c) => c.resources);
    expect(resources([lbRef("a", ["application"])])).toEqual([
      "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/*/*/*",
    ]);
    expect(resources([lbRef("a", ["network"])])).toEqual([
      "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/net/*/*/*",
    ]);
    expect(resources().sort()).toEqual([
      "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/*/*/*",
      "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/net/*/*/*",
    ]);
    const simulated = (referencedBy: RoleReference[]) =>
      simulationCalls(LB, loc, { role: { referencedBy } }).flatMap((c) => c.actions);
    expect(simulated([lbRef("a", ["network"])])).not.toContain("elasticloadbalancing:ModifyRule");
  });
});
