import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { IAMClient } from "@aws-sdk/client-iam";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { STSClient } from "@aws-sdk/client-sts";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AwsClients } from "../../src/collect/clients.ts";
import { collectVolumes } from "../../src/collect/ec2.ts";
import { collect } from "../../src/collect/index.ts";
import type { FakeAccount, FakeVolume } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsTask,
  infrastructureRole,
  REGION,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, type FakeOptions, startFakeAws } from "../fake-aws/server.ts";

/** The EC2 collector through the real SDK against the fake AWS: the filter sent, every page, what is kept. */

const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/prod/${id}`;

function ecsVolume(n: number): FakeVolume {
  const task = taskArn(`t${n}`);
  return {
    volumeId: `vol-${String(n).padStart(2, "0")}`,
    state: n % 2 ? "available" : "in-use",
    size: 100 + n,
    availabilityZone: `${REGION}a`,
    volumeType: "gp3",
    iops: 3000 + n,
    throughput: 125 + n,
    encrypted: true,
    createTime: "2026-11-01T00:00:00.000Z",
    tags: { AmazonECSManaged: "true", AmazonECSCreated: task, team: "storage", Name: `data-${n}` },
    attachments:
      n % 2
        ? []
        : [{ associatedResource: task, instanceOwningService: "ecs.amazonaws.com", state: "attached" }],
  };
}

/** 12 ECS-managed volumes and one of the user's own, which the tag filter must leave out. */
const VOLUMES: FakeVolume[] = [
  ...Array.from({ length: 12 }, (_, i) => ecsVolume(i + 1)),
  { volumeId: "vol-mine", state: "available", tags: { Name: "mine" } },
];

const fakes: FakeAws[] = [];
const runClients: AwsClients[] = [];
afterEach(async () => {
  for (const c of runClients.splice(0)) c.destroy();
  for (const f of fakes.splice(0)) await f.close();
});

async function serve(account: Partial<FakeAccount> = {}, options: FakeOptions = {}): Promise<FakeAws> {
  const fake = await startFakeAws({ accountId: ACCOUNT_ID, volumes: VOLUMES, ...account }, options);
  fakes.push(fake);
  return fake;
}

/** An EC2 client for the fake; `maxAttempts` 2 with zero back-off keeps the retry tests fast. */
function ec2For(fake: FakeAws): () => Promise<EC2Client> {
  const client = new EC2Client({
    ...fake.clientConfig(),
    retryStrategy: new ConfiguredRetryStrategy(2, () => 0),
  });
  runClients.push({ destroy: () => client.destroy() } as AwsClients);
  return () => Promise.resolve(client);
}

const describeCalls = (fake: FakeAws) =>
  fake.requests.filter((r) => r.service === "ec2" && r.action === "DescribeVolumes");

describe("collectVolumes", () => {
  it("filters on tag AmazonECSManaged=true and follows every page (pageSize 2 becomes EC2's minimum, 5)", async () => {
    const fake = await serve();
    const { volumes } = await collectVolumes(ec2For(fake), { pageSize: 2 });
    expect(volumes.ok && volumes.value.map((v) => v.volumeId)).toEqual(
      Array.from({ length: 12 }, (_, i) => `vol-${String(i + 1).padStart(2, "0")}`),
    );
    const calls = describeCalls(fake);
    expect(calls).toHaveLength(3); // 5 + 5 + 2
    for (const call of calls) {
      expect(call.params).toMatchObject({
        "Filter.1.Name": "tag:AmazonECSManaged",
        "Filter.1.Value.1": "true",
        MaxResults: "5",
      });
    }
    expect(calls.map((c) => "NextToken" in c.params)).toEqual([false, true, true]);
  });

  it("asks for 1000 a page by default and still follows the pages a capped server gives (5 a page)", async () => {
    const fake = await serve({}, { pageSize: { ec2: 5 } });
    const { volumes } = await collectVolumes(ec2For(fake));
    expect(volumes.ok && volumes.value).toHaveLength(12);
    expect(describeCalls(fake).map((c) => c.params.MaxResults)).toEqual(["1000", "1000", "1000"]);
  });

  it("keeps state, size, type, IOPS, throughput, zone, creation time, the attachments, and only the ECS and Name tags", async () => {
    const fake = await serve();
    const { volumes } = await collectVolumes(ec2For(fake));
    const [available, inUse] = volumes.ok ? volumes.value : [];
    expect(available).toEqual({
      volumeId: "vol-01",
      state: "available",
      createTime: "2026-11-01T00:00:00.000Z",
      size: 101,
      volumeType: "gp3",
      iops: 3001,
      throughput: 126,
      availabilityZone: `${REGION}a`,
      tags: { AmazonECSManaged: "true", AmazonECSCreated: taskArn("t1"), Name: "data-1" },
      attachments: [],
    });
    expect(inUse?.attachments).toEqual([
      { associatedResource: taskArn("t2"), instanceOwningService: "ecs.amazonaws.com", state: "attached" },
    ]);
  });

  it("DescribeVolumes denied is an error fact naming ec2:DescribeVolumes", async () => {
    const fake = await serve({}, { faults: [{ service: "ec2", kind: "access-denied" }] });
    const { volumes } = await collectVolumes(ec2For(fake));
    expect(volumes).toMatchObject({
      ok: false,
      error: { api: "ec2:DescribeVolumes", code: "UnauthorizedOperation" },
    });
  });

  it("throttling on a later page past the SDK's retries is an error fact, not a short list", async () => {
    const fake = await serve({}, { pageSize: { ec2: 5 } });
    // The first page answers; from the second call on, every attempt is throttled (the SDK tries each twice here).
    let calls = 0;
    const load = ec2For(fake);
    const loadThenThrottle = async () => {
      const client = await load();
      client.middlewareStack.add(
        (next) => async (args) => {
          calls += 1;
          if (calls === 2) fake.setFaults([{ service: "ec2", kind: "throttle" }]);
          return next(args);
        },
        { step: "initialize", name: "throttleAfterFirstPage" },
      );
      return client;
    };
    const { volumes } = await collectVolumes(loadThenThrottle);
    expect(volumes).toMatchObject({
      ok: false,
      error: { api: "ec2:DescribeVolumes", code: "RequestLimitExceeded" },
    });
    expect(describeCalls(fake).map((c) => c.status)).toEqual([200, 503, 503]);
  });

  it("a client that cannot be loaded is an error fact too: collection never throws", async () => {
    const { volumes } = await collectVolumes(() => Promise.reject(new Error("Cannot find module")));
    expect(volumes).toMatchObject({ ok: false, error: { api: "ec2:DescribeVolumes" } });
  });
});

describe("collect() with EC2", () => {
  const ROLE = roleArnOf("ecsInfrastructureRole");
  const account: Partial<FakeAccount> = {
    roles: [infrastructureRole()],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [{ name: "prod", tasks: [ebsTask({ id: "t2", roleArn: ROLE, volumeId: "vol-02" })] }],
  };
  const scope = (over: Partial<{ clusters: string[]; roles: string[] }>) => ({
    clusters: [],
    services: [],
    tasks: [],
    roles: [],
    ...over,
  });

  /** The run's clients pointed at the fake; `ec2` is a spy, so a test can tell whether EC2 was ever loaded. */
  function clientsFor(fake: FakeAws) {
    const config = { ...fake.clientConfig(), retryStrategy: new ConfiguredRetryStrategy(2, () => 0) };
    const clients = {
      iam: new IAMClient(config),
      sts: new STSClient(config),
      ecs: new ECSClient(config),
      cloudtrail: new CloudTrailClient(config),
    };
    const ec2 = new EC2Client(config);
    const organizations = new OrganizationsClient(config);
    const run = {
      ...clients,
      ec2: vi.fn(() => Promise.resolve(ec2)),
      organizations: async () => organizations,
      destroy: () => {
        for (const c of [...Object.values(clients), ec2, organizations]) c.destroy();
      },
    };
    runClients.push(run);
    return run;
  }

  it("a role-only check never loads the EC2 client and sends no EC2 request", async () => {
    const fake = await serve(account);
    const clients = clientsFor(fake);
    const facts = await collect({
      scope: scope({ roles: ["ecsInfrastructureRole"] }),
      aws: { region: REGION },
      clients,
    });
    expect(facts.ec2).toBeUndefined();
    expect(clients.ec2).not.toHaveBeenCalled();
    expect(fake.requests.filter((r) => r.service === "ec2")).toEqual([]);
    expect(fake.requests.some((r) => r.action === "GetRole")).toBe(true); // the check itself did run
  });

  it("with ECS in scope, describes the volumes while IAM is read", async () => {
    // GetRole answers after 500 ms: DescribeVolumes must not wait for it.
    const fake = await serve(account, {
      faults: [{ service: "iam", action: "GetRole", kind: "slow", delayMs: 500 }],
    });
    const facts = await collect({
      scope: scope({ clusters: ["prod"] }),
      aws: { region: REGION },
      clients: clientsFor(fake),
    });
    expect(facts.ec2?.volumes.ok && facts.ec2.volumes.value).toHaveLength(12);
    const getRole = fake.requests.find((r) => r.action === "GetRole");
    const [describe] = describeCalls(fake);
    expect(getRole && describe && describe.at - getRole.at).toBeLessThan(500);
  });

  it("volumes: false (leaked-volumes off) loads no EC2 client even with ECS in scope", async () => {
    const fake = await serve(account);
    const clients = clientsFor(fake);
    const facts = await collect({
      scope: scope({ clusters: ["prod"] }),
      aws: { region: REGION },
      clients,
      volumes: false,
    });
    expect(facts.ec2).toBeUndefined();
    expect(facts.ecs).toBeDefined();
    expect(clients.ec2).not.toHaveBeenCalled();
  });
});
