import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import {
  ListAccountsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from "@aws-sdk/client-organizations";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAws, startFakeAws } from "./server.ts";

/** The fake as several accounts and Regions, through the real SDK clients. */

const MANAGEMENT = "111122223333";
const MEMBER = "444455556666";
const trust = (principal: string, externalId?: string) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { AWS: principal },
      Action: "sts:AssumeRole",
      ...(externalId ? { Condition: { StringEquals: { "sts:ExternalId": externalId } } } : {}),
    },
  ],
});

let fake: FakeAws;
const retry = new ConfiguredRetryStrategy(1, () => 0);
beforeAll(async () => {
  fake = await startFakeAws(
    { accountId: MANAGEMENT, clusters: [{ name: "mgmt-east" }] },
    {
      pageSize: { organizations: 2, s3: 2 },
      world: {
        accounts: [
          {
            accountId: MEMBER,
            region: "us-east-1",
            clusters: [{ name: "east" }],
            roles: [{ name: "Audit", trustPolicy: trust(`arn:aws:iam::${MANAGEMENT}:root`, "xyz") }],
          },
          { accountId: MEMBER, region: "eu-west-1", clusters: [{ name: "west" }] },
        ],
        members: [
          { id: MANAGEMENT },
          { id: MEMBER },
          { id: "777788889999", status: "SUSPENDED", fields: "status" },
        ],
        enabledRegions: { [MEMBER]: ["us-east-1", "eu-west-1"] },
        notOptedInRegions: ["ap-east-1"],
        buckets: ["reports"],
      },
    },
  );
});
afterAll(() => fake.close());

const base = () => ({ ...fake.clientConfig(), retryStrategy: retry });

async function assumed(externalId?: string) {
  const sts = new STSClient(base());
  const out = await sts.send(
    new AssumeRoleCommand({
      RoleArn: `arn:aws:iam::${MEMBER}:role/Audit`,
      RoleSessionName: "ecs-preflight",
      ...(externalId ? { ExternalId: externalId } : {}),
    }),
  );
  const c = out.Credentials;
  return {
    accessKeyId: c?.AccessKeyId ?? "",
    secretAccessKey: c?.SecretAccessKey ?? "",
    sessionToken: c?.SessionToken ?? "",
  };
}

describe("AssumeRole", () => {
  it("returns credentials that act as the member account, answered in each request's Region", async () => {
    const credentials = await assumed("xyz");
    const who = await new STSClient({ ...base(), credentials }).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({
      Account: MEMBER,
      Arn: `arn:aws:sts::${MEMBER}:assumed-role/Audit/ecs-preflight`,
    });
    const inRegion = async (region: string) =>
      (await new ECSClient({ ...base(), region, credentials }).send(new ListClustersCommand({}))).clusterArns;
    expect(await inRegion("us-east-1")).toEqual([`arn:aws:ecs:us-east-1:${MEMBER}:cluster/east`]);
    expect(await inRegion("eu-west-1")).toEqual([`arn:aws:ecs:eu-west-1:${MEMBER}:cluster/west`]);
    // The caller's own credentials still see the management account.
    expect((await new ECSClient(base()).send(new ListClustersCommand({}))).clusterArns).toEqual([
      `arn:aws:ecs:us-east-1:${MANAGEMENT}:cluster/mgmt-east`,
    ]);
    expect(fake.requests.at(-1)).toMatchObject({ account: MANAGEMENT, region: "us-east-1" });
  });

  it("checks the ExternalId against the role's trust", async () => {
    await expect(assumed("wrong")).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(assumed()).rejects.toMatchObject({ name: "AccessDenied" });
  });

  it("denies a role that does not exist", async () => {
    const sts = new STSClient(base());
    await expect(
      sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/Nope`, RoleSessionName: "s" })),
    ).rejects.toMatchObject({ name: "AccessDenied", message: expect.stringContaining("sts:AssumeRole") });
  });
});

describe("Organizations and EC2 Regions", () => {
  it("pages ListAccounts with State, or the retired Status", async () => {
    const org = new OrganizationsClient(base());
    const pages = [];
    for await (const page of paginateListAccounts({ client: org }, {})) pages.push(page);
    expect(pages).toHaveLength(2);
    const accounts = pages.flatMap((p) => p.Accounts ?? []);
    expect(accounts.map((a) => [a.Id, a.State ?? a.Status])).toEqual([
      [MANAGEMENT, "ACTIVE"],
      [MEMBER, "ACTIVE"],
      ["777788889999", "SUSPENDED"],
    ]);
    expect(accounts[2]?.State).toBeUndefined();
  });

  it("refuses ListAccounts from a member account", async () => {
    const org = new OrganizationsClient({ ...base(), credentials: await assumed("xyz") });
    await expect(org.send(new ListAccountsCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
  });

  it("lists the account's enabled Regions, and the others only with AllRegions", async () => {
    const ec2 = new EC2Client({ ...base(), credentials: await assumed("xyz") });
    const names = async (AllRegions: boolean) =>
      ((await ec2.send(new DescribeRegionsCommand({ AllRegions }))).Regions ?? []).map((r) => r.RegionName);
    expect(await names(false)).toEqual(["us-east-1", "eu-west-1"]);
    expect(await names(true)).toEqual(["us-east-1", "eu-west-1", "ap-east-1"]);
  });
});

describe("S3", () => {
  it("puts, lists every page and gets objects, path-style", async () => {
    const s3 = new S3Client({ ...base(), forcePathStyle: true });
    for (const name of ["a", "b", "c"])
      await s3.send(
        new PutObjectCommand({ Bucket: "reports", Key: `run/${name}.json`, Body: `{"n":"${name}"}` }),
      );
    await s3.send(new PutObjectCommand({ Bucket: "reports", Key: "other/x.json", Body: "{}" }));
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: "reports", Prefix: "run/" }))
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ""));
    expect(keys).toEqual(["run/a.json", "run/b.json", "run/c.json"]);
    const got = await s3.send(new GetObjectCommand({ Bucket: "reports", Key: "run/b.json" }));
    expect(await got.Body?.transformToString()).toBe('{"n":"b"}');
    await expect(s3.send(new GetObjectCommand({ Bucket: "reports", Key: "nope" }))).rejects.toMatchObject({
      name: "NoSuchKey",
    });
    await expect(s3.send(new ListObjectsV2Command({ Bucket: "missing" }))).rejects.toMatchObject({
      name: "NoSuchBucket",
    });
  });
});
