import {
  IAMClient,
  paginateSimulatePrincipalPolicy,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { DescribeOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_ID, awsManagedVolumesPolicy, infrastructureRole, roleArnOf } from "./builders.ts";
import { type FakeAws, startFakeAws } from "./server.ts";

/** The fake's SimulatePrincipalPolicy and DescribeOrganization, read back through the real SDK clients. */

const ROLE = roleArnOf("ecsInfrastructureRole");
const VOLUME = `arn:aws:ec2:us-east-1:${ACCOUNT_ID}:volume/vol-0abc`;
const TAGGED = [
  {
    ContextKeyName: "aws:ResourceTag/AmazonECSManaged",
    ContextKeyValues: ["true"],
    ContextKeyType: "string" as const,
  },
];

let fake: FakeAws;
let iam: IAMClient;
beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: ACCOUNT_ID,
      roles: [infrastructureRole()],
      managedPolicies: [awsManagedVolumesPolicy()],
      organization: { scps: [{ name: "keep-volumes", deny: ["ec2:Delete*"] }] },
    },
    { pageSize: { iam: 1 } },
  );
  iam = new IAMClient(fake.clientConfig());
});
afterAll(async () => {
  iam.destroy();
  await fake.close();
});

describe("SimulatePrincipalPolicy", () => {
  it("answers one result per action, paged by Marker, with the SCP's deny as implicitDeny and no matched statement", async () => {
    const results = [];
    for await (const page of paginateSimulatePrincipalPolicy(
      { client: iam },
      {
        PolicySourceArn: ROLE,
        ActionNames: ["ec2:DetachVolume", "ec2:DeleteVolume"],
        ResourceArns: [VOLUME],
        ContextEntries: TAGGED,
      },
    ))
      results.push(...(page.EvaluationResults ?? []));
    expect(fake.requests.filter((r) => r.action === "SimulatePrincipalPolicy")).toHaveLength(2);
    expect(
      results.map((r) => [
        r.EvalActionName,
        r.EvalDecision,
        r.OrganizationsDecisionDetail?.AllowedByOrganizations,
      ]),
    ).toEqual([
      ["ec2:DetachVolume", "allowed", true],
      ["ec2:DeleteVolume", "implicitDeny", false],
    ]);
    expect(results[0]?.ResourceSpecificResults?.[0]).toMatchObject({
      EvalResourceName: VOLUME,
      EvalResourceDecision: "allowed",
      MissingContextValues: [],
    });
    expect(results[1]?.MatchedStatements).toEqual([]);
  });

  it("without the tag the managed policy conditions on, the key is missing and the action not allowed", async () => {
    const out = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: ROLE,
        ActionNames: ["ec2:DetachVolume"],
        ResourceArns: [VOLUME],
      }),
    );
    const [result] = out.EvaluationResults ?? [];
    expect(result?.EvalDecision).toBe("implicitDeny");
    expect(result?.ResourceSpecificResults?.[0]?.MissingContextValues).toContain(
      "aws:ResourceTag/AmazonECSManaged",
    );
  });

  it("a role of no such ARN is NoSuchEntity", async () => {
    await expect(
      iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: roleArnOf("nope"),
          ActionNames: ["ec2:DeleteVolume"],
        }),
      ),
    ).rejects.toMatchObject({ name: "NoSuchEntityException" });
  });
});

describe("DescribeOrganization", () => {
  it("names the management account, and outside an organization answers AWSOrganizationsNotInUseException", async () => {
    const org = new OrganizationsClient(fake.clientConfig());
    const out = await org.send(new DescribeOrganizationCommand({}));
    expect(out.Organization?.MasterAccountId).toBe("999988887777");
    const saved = fake.account.organization;
    fake.account.organization = undefined;
    await expect(org.send(new DescribeOrganizationCommand({}))).rejects.toMatchObject({
      name: "AWSOrganizationsNotInUseException",
    });
    fake.account.organization = saved;
    org.destroy();
  });
});
