import { describe, expect, it } from "vitest";
import { infrastructureUse } from "../../src/analysis/infrastructure-uses.ts";
import { simulationCalls } from "../../src/analysis/simulation-calls.ts";
import { compareText } from "../../src/order.ts";

const LOC = {
  partition: "aws",
  region: "eu-west-1",
  account: "111122223333",
  roleArn: "arn:aws:iam::111122223333:role/ecsInfrastructureRole",
};
const ORG = "o-exampleorgid";

const keys = (call: { context: { name: string; values: string[] }[] }) =>
  Object.fromEntries(call.context.map((c) => [c.name, c.values]));

describe("simulationCalls: the organization keys of the role's requests", () => {
  it("no organization Id: no organization key (the account outside any organization is never simulated)", () => {
    for (const call of simulationCalls(infrastructureUse("ebs"), LOC))
      expect(Object.keys(keys(call)).filter((k) => /OrgID$/i.test(k))).toEqual([]);
  });

  it("aws:PrincipalOrgID on every call; aws:ResourceOrgID where the resource is the role's own account's, or a list call's", () => {
    const calls = simulationCalls(infrastructureUse("ebs"), LOC, { organizationId: ORG });
    const volume = calls.find((c) => c.actions.includes("ec2:DeleteVolume"));
    const describe = calls.find((c) => c.actions.includes("ec2:DescribeVolumes"));
    expect(keys(volume ?? { context: [] })).toMatchObject({
      "aws:PrincipalOrgID": [ORG],
      "aws:ResourceOrgID": [ORG],
      "aws:ResourceAccount": [LOC.account],
    });
    // A list action reads the account it is made in: its resources are that account's organization's.
    expect(keys(describe ?? { context: [] })).toMatchObject({
      "aws:PrincipalOrgID": [ORG],
      "aws:ResourceOrgID": [ORG],
    });
  });

  it("the EBS use simulates DetachVolume on the EC2 instance too, as volume-permissions judges it", () => {
    const calls = simulationCalls(infrastructureUse("ebs"), LOC, { organizationId: ORG });
    expect(calls.map((c) => [c.resources, c.actions])).toEqual([
      [[`arn:aws:ec2:${LOC.region}:${LOC.account}:volume/vol-*`], ["ec2:DetachVolume", "ec2:DeleteVolume"]],
      [["*"], ["ec2:DescribeVolumes"]],
      [[`arn:aws:ec2:${LOC.region}:${LOC.account}:instance/i-*`], ["ec2:DetachVolume"]],
    ]);
  });

  it("a resource of an account the request does not know (a shared private CA) gets no aws:ResourceOrgID", () => {
    const calls = simulationCalls(infrastructureUse("service-connect-tls"), LOC, { organizationId: ORG });
    const pca = calls.filter((c) => c.resources.some((r) => r.includes(":acm-pca:")));
    expect(pca.length).toBeGreaterThan(0);
    for (const call of pca) {
      expect(keys(call)["aws:PrincipalOrgID"]).toEqual([ORG]);
      expect(keys(call)["aws:ResourceOrgID"]).toBeUndefined();
    }
  });

  it("the role's tags are every request's aws:PrincipalTag keys; none without tags", () => {
    const tags = { team: "platform", "dp:exclude:resource": "true", cost: "", "cost center": "x" };
    for (const call of simulationCalls(infrastructureUse("ebs"), LOC, { tags })) {
      expect(keys(call)).toMatchObject({
        "aws:PrincipalTag/team": ["platform"],
        "aws:PrincipalTag/dp:exclude:resource": ["true"],
      });
      // An empty value, or a key with a space, is not sent: simulated as absent, never a refused call.
      expect(keys(call)["aws:PrincipalTag/cost"]).toBeUndefined();
      expect(keys(call)["aws:PrincipalTag/cost center"]).toBeUndefined();
    }
    for (const call of simulationCalls(infrastructureUse("ebs"), LOC))
      expect(Object.keys(keys(call)).filter((k) => k.startsWith("aws:PrincipalTag/"))).toEqual([]);
  });

  it("the context stays sorted by key name", () => {
    for (const call of simulationCalls(infrastructureUse("express"), LOC, {
      organizationId: ORG,
      tags: { b: "2", a: "1" },
    })) {
      const names = call.context.map((c) => c.name);
      expect(names).toEqual([...names].sort(compareText));
    }
  });
});
