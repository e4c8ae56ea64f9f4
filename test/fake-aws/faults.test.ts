import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { DescribeVolumesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient, ListClustersCommand } from "@aws-sdk/client-ecs";
import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { AwsService } from "./account.ts";
import { ecsTrustPolicy } from "./builders.ts";
import type { FaultKind } from "./faults.ts";
import { type FakeAws, type RecordedRequest, startFakeAws } from "./server.ts";

/** One call per service; together they cover the three protocol families (query XML, JSON 1.1, EC2 query). */
interface Probe {
  service: AwsService;
  action: string;
  call: () => Promise<unknown>;
}

let fake: FakeAws;
// CloudFormation answers its faults in the query family too: cloudformation.test.ts probes them.
type ProbedService = Exclude<AwsService, "organizations" | "s3" | "cloudformation">;
let probes: Record<ProbedService, Probe>;
let destroy: () => void;

beforeAll(async () => {
  fake = await startFakeAws({
    accountId: "111122223333",
    caller: { arn: "arn:aws:iam::111122223333:user/auditor", userId: "AIDAEXAMPLE" },
    roles: [{ name: "ecsInfrastructureRole", trustPolicy: ecsTrustPolicy() }],
    clusters: [{ name: "prod" }],
    volumes: [{ volumeId: "vol-1", state: "available" }],
  });
  // Three attempts, no back-off: retries are visible in the request log without slowing the suite.
  const config = { ...fake.clientConfig(), retryStrategy: new ConfiguredRetryStrategy(3, () => 0) };
  const iam = new IAMClient(config);
  const sts = new STSClient(config);
  const ecs = new ECSClient(config);
  const cloudtrail = new CloudTrailClient(config);
  const ec2 = new EC2Client(config);
  probes = {
    iam: {
      service: "iam",
      action: "GetRole",
      call: () => iam.send(new GetRoleCommand({ RoleName: "ecsInfrastructureRole" })),
    },
    sts: {
      service: "sts",
      action: "GetCallerIdentity",
      call: () => sts.send(new GetCallerIdentityCommand({})),
    },
    ecs: { service: "ecs", action: "ListClusters", call: () => ecs.send(new ListClustersCommand({})) },
    cloudtrail: {
      service: "cloudtrail",
      action: "LookupEvents",
      call: () => cloudtrail.send(new LookupEventsCommand({})),
    },
    ec2: { service: "ec2", action: "DescribeVolumes", call: () => ec2.send(new DescribeVolumesCommand({})) },
  };
  destroy = () => {
    for (const client of [iam, sts, ecs, cloudtrail, ec2]) client.destroy();
  };
});

beforeEach(() => {
  fake.setFaults([]);
  fake.requests.length = 0;
});

afterAll(async () => {
  destroy();
  await fake.close();
});

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error as Record<string, unknown>,
  );
  if (!outcome) throw new Error("expected the call to fail");
  return outcome;
}

const statuses = (requests: RecordedRequest[]) => requests.map((r) => r.status);

describe("access-denied uses each service's own code, status and envelope", () => {
  test.each([
    [
      "iam",
      "AccessDenied",
      403,
      "iam:GetRole on resource: arn:aws:iam::111122223333:role/ecsInfrastructureRole",
    ],
    ["sts", "AccessDenied", 403, "sts:GetCallerIdentity"],
    ["ecs", "AccessDeniedException", 400, "ecs:ListClusters"],
    ["cloudtrail", "AccessDeniedException", 400, "cloudtrail:LookupEvents"],
    ["ec2", "UnauthorizedOperation", 403, "ec2:DescribeVolumes"],
  ] as const)(
    "%s → the SDK names it %s (HTTP %i), not retried",
    async (service, name, status, permission) => {
      fake.setFaults([{ service, kind: "access-denied" }]);
      const error = await failure(probes[service].call());
      expect(error).toMatchObject({
        name,
        $fault: "client",
        $metadata: { httpStatusCode: status, attempts: 1 },
      });
      expect(error.message).toContain(
        "User: arn:aws:iam::111122223333:user/auditor is not authorized to perform: ",
      );
      expect(error.message).toContain(permission);
      expect(statuses(fake.requests)).toEqual([status]);
    },
  );
});

describe("expired-token answers as each service does to a session token past its expiry", () => {
  test.each([
    ["iam", "ExpiredToken", 403],
    ["sts", "ExpiredToken", 403],
    ["ecs", "ExpiredTokenException", 400],
    ["cloudtrail", "ExpiredTokenException", 400],
    ["ec2", "RequestExpired", 400],
  ] as const)("%s → the SDK names it %s (HTTP %i)", async (service, name, status) => {
    fake.setFaults([{ service, kind: "expired-token" }]);
    const error = await failure(probes[service].call());
    expect(error).toMatchObject({ name, $metadata: { httpStatusCode: status } });
    expect(fake.requests.every((r) => r.status === status)).toBe(true);
  });
});

describe("throttling", () => {
  test.each([
    ["iam", 400],
    ["ecs", 400],
    ["ec2", 503],
  ] as const)(
    "%s: throttling every 3rd request is retried transparently by the SDK",
    async (service, status) => {
      fake.setFaults([{ service, kind: "throttle", every: 3 }]);
      const results = [];
      for (let i = 0; i < 4; i++) results.push(await probes[service].call());
      const attempts = results.map((r) => (r as { $metadata: { attempts: number } }).$metadata.attempts);
      expect(attempts).toEqual([1, 1, 2, 1]);
      expect(statuses(fake.requests)).toEqual([200, 200, status, 200, 200]);
      expect(fake.requests.map((r) => r.attempt)).toEqual([1, 1, 1, 2, 1]);
    },
  );

  test("oncePerCall keeps concurrent calls recoverable: no call is throttled on every attempt", async () => {
    fake.setFaults([{ service: "iam", kind: "throttle", every: 2, oncePerCall: true }]);
    const worker = async () => {
      const attempts: number[] = [];
      for (let i = 0; i < 6; i++) {
        const out = (await probes.iam.call()) as { $metadata: { attempts: number } };
        attempts.push(out.$metadata.attempts);
      }
      return attempts;
    };
    const attempts = (await Promise.all([worker(), worker(), worker(), worker()])).flat();
    expect(attempts).toHaveLength(24);
    expect(Math.max(...attempts)).toBeLessThanOrEqual(2);
    const throttled = fake.requests.filter((r) => r.status === 400);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((r) => r.attempt === 1)).toBe(true);
  });

  test("maxPerCall caps the faults of each call: 2 throttles, then the third attempt gets through", async () => {
    fake.setFaults([{ service: "iam", kind: "throttle", maxPerCall: 2 }]);
    const worker = async () => {
      const out = (await probes.iam.call()) as { $metadata: { attempts: number } };
      return out.$metadata.attempts;
    };
    // Concurrent calls: each has its own cap, whatever order their attempts arrive in.
    expect(await Promise.all([worker(), worker(), worker()])).toEqual([3, 3, 3]);
    expect(fake.requests.filter((r) => r.status === 400)).toHaveLength(6);
    expect(() => fake.setFaults([{ kind: "throttle", maxPerCall: 0 }])).toThrow(/maxPerCall/);
  });

  test.each([
    ["sts", "Throttling"],
    ["cloudtrail", "ThrottlingException"],
    ["ec2", "RequestLimitExceeded"],
  ] as const)(
    "%s: throttling that never ends surfaces as %s after the SDK's attempts",
    async (service, name) => {
      fake.setFaults([{ service, kind: "throttle" }]);
      const error = await failure(probes[service].call());
      expect(error).toMatchObject({ name, $metadata: { attempts: 3 } });
      expect(fake.requests).toHaveLength(3);
    },
  );
});

describe("server errors are retried", () => {
  test.each([
    ["iam", "http-500", 500],
    ["ecs", "http-500", 500],
    ["ec2", "http-500", 500],
    ["sts", "http-503", 503],
    ["cloudtrail", "http-503", 503],
    ["ec2", "http-503", 503],
  ] as const)("%s %s once: the SDK retries and succeeds", async (service, kind, status) => {
    fake.setFaults([{ service, kind, times: 1 }]);
    const result = (await probes[service].call()) as { $metadata: { attempts: number } };
    expect(result.$metadata.attempts).toBe(2);
    expect(statuses(fake.requests)).toEqual([status, 200]);
  });

  test("names the SDK gives persistent server errors", async () => {
    fake.setFaults([{ kind: "http-500" }]);
    expect((await failure(probes.iam.call())).name).toBe("ServiceFailureException");
    expect((await failure(probes.ecs.call())).name).toBe("ServerException");
    expect((await failure(probes.ec2.call())).name).toBe("InternalError");
    fake.setFaults([{ kind: "http-503" }]);
    expect((await failure(probes.sts.call())).name).toBe("ServiceUnavailable");
    expect((await failure(probes.ec2.call())).name).toBe("Unavailable");
  });
});

describe("transport faults surface as SDK errors, never hangs", () => {
  const families: ProbedService[] = ["iam", "ecs", "ec2"];

  test.each(families)("%s reset: the SDK retries, then fails with a socket error", async (service) => {
    fake.setFaults([{ service, kind: "reset" }]);
    const error = await failure(probes[service].call());
    // node-http-handler renames ECONNRESET/EPIPE/ETIMEDOUT errors "TimeoutError": a reset is not a slow answer.
    expect(error).toMatchObject({ name: "TimeoutError", code: "ECONNRESET", message: "socket hang up" });
    expect(error.$metadata).toMatchObject({ attempts: 3 });
    expect(statuses(fake.requests)).toEqual([0, 0, 0]);
  });

  test.each(families)(
    "%s truncated: a cut-off 200 body is a deserialization error, not partial data",
    async (service) => {
      fake.setFaults([{ service, kind: "truncated" }]);
      const error = await failure(probes[service].call());
      expect(error.message).toContain("Deserialization error");
      expect(error.$metadata).toMatchObject({ httpStatusCode: 200 });
      expect(statuses(fake.requests)).toEqual([200]);
    },
  );

  test.each(families)("%s not-xml-or-json: an HTML 200 page is a deserialization error", async (service) => {
    fake.setFaults([{ service, kind: "not-xml-or-json" }]);
    const error = await failure(probes[service].call());
    expect(error.message).toContain("Deserialization error");
    expect(statuses(fake.requests)).toEqual([200]);
  });

  test("slow delays the answer; requestTimeout alone only warns, with throwOnRequestTimeout it fails", async () => {
    // Its own server: a request the client gave up on may still land later and must not leak into other tests.
    const local = await startFakeAws(
      { accountId: "111122223333" },
      { faults: [{ service: "sts", kind: "slow", delayMs: 120 }] },
    );
    const client = (options: ConstructorParameters<typeof NodeHttpHandler>[0]) =>
      new STSClient({
        ...local.clientConfig(),
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler(options),
      });

    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, warn: (...args: unknown[]) => warnings.push(args), error() {} };
    const lenient = client({ requestTimeout: 30, logger });
    const started = Date.now();
    await expect(lenient.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: "111122223333",
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(String(warnings[0])).toContain("requestTimeout");
    lenient.destroy();

    const strict = client({ requestTimeout: 30, throwOnRequestTimeout: true });
    const error = await failure(strict.send(new GetCallerIdentityCommand({})));
    strict.destroy();
    expect(error.name).toBe("TimeoutError");
    await local.close();
  });
});

describe("rule matching", () => {
  test("service and action scope a rule; times caps it; setFaults starts the counters again", async () => {
    fake.setFaults([{ service: "iam", action: "GetRole", kind: "access-denied", times: 1 }]);
    await probes.sts.call();
    await expect(probes.iam.call()).rejects.toMatchObject({ name: "AccessDenied" });
    await probes.iam.call();
    expect(fake.requests.map((r) => `${r.service}:${r.action}:${r.status}`)).toEqual([
      "sts:GetCallerIdentity:200",
      "iam:GetRole:403",
      "iam:GetRole:200",
    ]);
    fake.setFaults([{ service: "iam", action: "GetRole", kind: "access-denied", times: 1 }]);
    await expect(probes.iam.call()).rejects.toMatchObject({ name: "AccessDenied" });
  });

  test("faults given at start-up apply from the first request", async () => {
    const local = await startFakeAws({ accountId: "111122223333" }, { faults: [{ kind: "access-denied" }] });
    const sts = new STSClient(local.clientConfig());
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "AccessDenied" });
    sts.destroy();
    await local.close();
  });

  test.each(["every", "times"] as const)("an invalid %s is refused when the rule is set", (field) => {
    const kind: FaultKind = "throttle";
    expect(() => fake.setFaults([{ kind, [field]: -1 }])).toThrow(/positive|non-negative/);
  });
});
