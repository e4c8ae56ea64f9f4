import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { IAMClient, ListRolesCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ecsTrustPolicy, type FakeAws, startFakeAws } from "./index.ts";
import { escapeXml, renderXml } from "./xml.ts";

const run = promisify(execFile);

let fake: FakeAws;

beforeAll(async () => {
  fake = await startFakeAws({
    accountId: "111122223333",
    region: "eu-west-1",
    roles: [{ name: "ecsInfrastructureRole", trustPolicy: ecsTrustPolicy() }],
    clusters: [{ name: "prod" }],
  });
});

afterAll(async () => {
  await fake.close();
});

describe("env() for child processes", () => {
  test("sets the endpoint (generic and per service), region, dummy credentials and no metadata lookups", () => {
    const env = fake.env();
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: fake.url,
      AWS_ENDPOINT_URL_IAM: fake.url,
      AWS_ENDPOINT_URL_STS: fake.url,
      AWS_ENDPOINT_URL_ECS: fake.url,
      AWS_ENDPOINT_URL_CLOUDTRAIL: fake.url,
      AWS_ENDPOINT_URL_EC2: fake.url,
      AWS_REGION: "eu-west-1",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    expect(env.AWS_ACCESS_KEY_ID).toBeTruthy();
    expect(env.AWS_SECRET_ACCESS_KEY).toBeTruthy();
  });

  test("a child process using the SDK with only that environment reaches the fake", async () => {
    const before = fake.requests.length;
    const script = `
      import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
      import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
      const who = await new STSClient({}).send(new GetCallerIdentityCommand({}));
      const clusters = await new ECSClient({}).send(new ListClustersCommand({}));
      console.log(JSON.stringify({ account: who.Account, clusters: clusters.clusterArns }));
    `;
    const { stdout } = await run(process.execPath, ["--no-warnings", "--input-type=module", "-e", script], {
      cwd: new URL("../..", import.meta.url).pathname,
      env: { ...process.env, ...fake.env() },
    });
    expect(JSON.parse(stdout)).toEqual({
      account: "111122223333",
      clusters: ["arn:aws:ecs:eu-west-1:111122223333:cluster/prod"],
    });
    expect(fake.requests.slice(before).map((r) => `${r.service}:${r.action}`)).toEqual([
      "sts:GetCallerIdentity",
      "ecs:ListClusters",
    ]);
  });
});

describe("routing", () => {
  test("an unsigned query request is routed by its API version, and answered in IAM's XML", async () => {
    const response = await fetch(fake.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetRole&Version=2010-05-08&RoleName=ecsInfrastructureRole",
    });
    const body = await response.text();
    expect(response.status).toBe(200);
    expect(body).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<GetRoleResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/">/,
    );
    expect(body).toContain("<GetRoleResult><Role><Path>/</Path><RoleName>ecsInfrastructureRole</RoleName>");
    expect(body).toMatch(
      /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/GetRoleResponse>$/,
    );
  });

  test("an operation the fake does not serve is InvalidAction for IAM, recorded with its status", async () => {
    const iam = new IAMClient(fake.clientConfig());
    await expect(iam.send(new ListRolesCommand({}))).rejects.toMatchObject({
      name: "InvalidAction",
      $metadata: { httpStatusCode: 400 },
    });
    iam.destroy();
    expect(fake.requests.at(-1)).toMatchObject({ service: "iam", action: "ListRoles", status: 400 });
  });

  test("an unknown X-Amz-Target is refused and not recorded", async () => {
    const before = fake.requests.length;
    const response = await fetch(fake.url, {
      method: "POST",
      headers: {
        "x-amz-target": "DynamoDB_20120810.ListTables",
        "content-type": "application/x-amz-json-1.0",
      },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: "UnknownOperationException" });
    expect(fake.requests.length).toBe(before);
  });

  test("a JSON body that is not JSON is a SerializationException", async () => {
    const response = await fetch(fake.url, {
      method: "POST",
      headers: { "x-amz-target": "AmazonEC2ContainerServiceV20141113.ListClusters" },
      body: "{oops",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: "SerializationException" });
  });
});

test("a page-size cap below 1 is refused at start-up (it would page forever)", async () => {
  await expect(startFakeAws({ accountId: "111122223333" }, { pageSize: { iam: 0 } })).rejects.toThrow(
    "pageSize.iam must be a positive integer",
  );
});

test("close() does not wait for a request held by a slow fault", async () => {
  const local = await startFakeAws(
    { accountId: "111122223333", clusters: [] },
    { faults: [{ kind: "slow", delayMs: 60_000 }] },
  );
  const ecs = new ECSClient({ ...local.clientConfig(), maxAttempts: 1 });
  const pending = ecs.send(new ListClustersCommand({})).catch((error: unknown) => error);
  while (local.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  const started = Date.now();
  await local.close();
  expect(Date.now() - started).toBeLessThan(1000);
  expect(await pending).toBeInstanceOf(Error);
  ecs.destroy();
});

describe("xml", () => {
  test("escapes the five XML specials and drops characters XML cannot carry", () => {
    expect(escapeXml(`<a href="x">Tom & 'Jerry'</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;",
    );
    expect(escapeXml("bell\u0007tab\tline\n")).toBe("bell\uFFFDtab\tline\n");
  });

  test("renders nested fields, member lists, empty lists, and skips undefined", () => {
    expect(renderXml("R", { A: "1", B: undefined, L: ["x", { K: true }], E: [] }, "member")).toBe(
      "<R><A>1</A><L><member>x</member><member><K>true</K></member></L><E/></R>",
    );
  });
});
