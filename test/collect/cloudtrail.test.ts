import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { ConfiguredRetryStrategy } from "@smithy/util-retry";
import { afterEach, describe, expect, it } from "vitest";
import { EBS_SESSION_NAME, TLS_SESSION_NAME } from "../../src/analysis/trail-links.ts";
import type { AwsClients } from "../../src/collect/clients.ts";
import {
  collectTrail,
  lookupEventsPacer,
  parseTrailEvent,
  trailWindow,
} from "../../src/collect/cloudtrail.ts";
import { collect } from "../../src/collect/index.ts";
import { InputError } from "../../src/errors.ts";
import type { FakeAccount, FakeTrailEvent } from "../fake-aws/account.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  infrastructureRole,
  roleArnOf,
  trailEvent,
} from "../fake-aws/builders.ts";
import { type FakeAws, type FakeOptions, startFakeAws } from "../fake-aws/server.ts";
import { fakeClients } from "../support/sdk-clients.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
const DAY = 86_400_000;
const ROLE = roleArnOf("ecsInfrastructureRole");
const OTHER = roleArnOf("someoneElsesRole");
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const minutesAgo = (n: number) => ago(n * 60_000);

let fake: FakeAws | undefined;
let client: CloudTrailClient | undefined;
const runClients: AwsClients[] = [];
afterEach(async () => {
  client?.destroy();
  for (const c of runClients.splice(0)) c.destroy();
  await fake?.close();
  fake = undefined;
  client = undefined;
});

async function serve(
  trailEvents: FakeTrailEvent[],
  options: FakeOptions = {},
  extra: Partial<FakeAccount> = {},
) {
  fake = await startFakeAws({ accountId: ACCOUNT_ID, trailEvents, ...extra }, { now: () => NOW, ...options });
  client = new CloudTrailClient({
    ...fake.clientConfig(),
    retryStrategy: new ConfiguredRetryStrategy(2, () => 0),
  });
  return { fake, client };
}

function lookup(
  c: CloudTrailClient,
  sessionNames = [EBS_SESSION_NAME],
  inScope = (arn: string) => arn === ROLE,
) {
  return collectTrail(c, {
    sessionNames,
    ...trailWindow("24h", NOW),
    inScope,
    pacer: lookupEventsPacer(),
    paceKey: `${ACCOUNT_ID}/us-east-1`,
  });
}

const lookups = (f: FakeAws) =>
  f.requests.filter((r) => r.service === "cloudtrail" && r.action === "LookupEvents");

describe("collectTrail through the SDK against the fake CloudTrail", () => {
  it("finds errors on the second page behind 50 newer successes, asking 50 a page with the token", async () => {
    const successes = Array.from({ length: 50 }, (_, i) =>
      trailEvent({
        eventName: "DescribeVolumes",
        eventTime: minutesAgo(i + 1),
        roleArn: ROLE,
        volumeId: `vol-ok${i}`,
      }),
    );
    const denied = trailEvent({
      eventName: "DeleteVolume",
      eventTime: minutesAgo(120),
      roleArn: ROLE,
      volumeId: "vol-0stuck",
      errorCode: "Client.UnauthorizedOperation",
    });
    const { fake, client } = await serve([denied, ...successes]);
    const trail = await lookup(client);
    const events = trail.sessions[EBS_SESSION_NAME];
    if (!events?.ok) throw new Error("expected events");
    expect(events.value).toHaveLength(51);
    expect(events.value[50]).toMatchObject({
      eventName: "DeleteVolume",
      eventSource: "ec2.amazonaws.com",
      roleArn: ROLE,
      errorCode: "Client.UnauthorizedOperation",
      volumeId: "vol-0stuck",
      eventTime: minutesAgo(120).replace(".000Z", "Z"),
    });
    expect(events.value[50]?.errorMessage).toMatch(/not authorized to perform: ec2:DeleteVolume/);
    const calls = lookups(fake);
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.params.MaxResults)).toEqual([50, 50]);
    expect(calls[0]?.params.NextToken).toBeUndefined();
    expect(calls[1]?.params.NextToken).toEqual(expect.any(String));
    expect(calls[0]?.params.LookupAttributes).toEqual([
      { AttributeKey: "Username", AttributeValue: EBS_SESSION_NAME },
    ]);
  });

  it("asks for the window (StartTime = now − since, EndTime = now) and so never sees older errors", async () => {
    const { fake, client } = await serve([
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: ago(DAY + 60_000),
        roleArn: ROLE,
        volumeId: "vol-old",
        errorCode: "Client.UnauthorizedOperation",
      }),
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: ago(DAY - 60_000),
        roleArn: ROLE,
        volumeId: "vol-new",
      }),
    ]);
    const trail = await lookup(client);
    expect(trail.startTime).toBe(ago(DAY).replace(".000Z", "Z"));
    expect(trail.sessions[EBS_SESSION_NAME]).toEqual({
      ok: true,
      value: [expect.objectContaining({ volumeId: "vol-new" })],
    });
    const [call] = lookups(fake);
    expect(call?.params.StartTime).toBe((NOW.getTime() - DAY) / 1000);
    expect(call?.params.EndTime).toBe(NOW.getTime() / 1000);
  });

  it("ignores other users, other session names and roles out of scope", async () => {
    const { client } = await serve([
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: minutesAgo(1),
        roleArn: ROLE,
        sessionName: "botocore-session-1",
        errorCode: "AccessDenied",
      }),
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: minutesAgo(2),
        roleArn: ROLE,
        sessionName: TLS_SESSION_NAME,
        errorCode: "AccessDenied",
      }),
      trailEvent({
        eventName: "DeleteVolume",
        eventTime: minutesAgo(3),
        roleArn: OTHER,
        errorCode: "Client.UnauthorizedOperation",
      }),
      trailEvent({
        eventName: "DetachVolume",
        eventTime: minutesAgo(4),
        roleArn: ROLE,
        volumeId: "vol-mine",
      }),
    ]);
    const trail = await lookup(client);
    expect(Object.keys(trail.sessions)).toEqual([EBS_SESSION_NAME]);
    expect(trail.sessions[EBS_SESSION_NAME]).toEqual({
      ok: true,
      value: [expect.objectContaining({ volumeId: "vol-mine", roleArn: ROLE })],
    });
  });

  it("looks each session name up in its own series (one lookup attribute per call)", async () => {
    const { fake, client } = await serve([
      trailEvent({
        eventName: "GetSecretValue",
        eventTime: minutesAgo(1),
        roleArn: ROLE,
        sessionName: TLS_SESSION_NAME,
      }),
      trailEvent({ eventName: "DescribeVolumes", eventTime: minutesAgo(2), roleArn: ROLE }),
    ]);
    const trail = await lookup(client, [EBS_SESSION_NAME, TLS_SESSION_NAME]);
    expect(trail.sessions[TLS_SESSION_NAME]).toEqual({
      ok: true,
      value: [expect.objectContaining({ eventName: "GetSecretValue" })],
    });
    expect(trail.sessions[EBS_SESSION_NAME]).toEqual({
      ok: true,
      value: [expect.objectContaining({ eventName: "DescribeVolumes" })],
    });
    const attributes = lookups(fake).map((c) => c.params.LookupAttributes as unknown[]);
    expect(attributes.every((a) => a.length === 1)).toBe(true);
  });

  it("keeps a denied LookupEvents as the error fact of the series", async () => {
    const { client, fake } = await serve([], {
      faults: [{ service: "cloudtrail", action: "LookupEvents", kind: "access-denied" }],
    });
    const trail = await lookup(client);
    expect(trail.sessions[EBS_SESSION_NAME]).toEqual({
      ok: false,
      error: {
        api: "cloudtrail:LookupEvents",
        code: "AccessDeniedException",
        message: expect.stringContaining("cloudtrail:LookupEvents"),
      },
    });
    expect(lookups(fake)).toHaveLength(1); // AccessDenied is not retried
  });

  it("a series denied on a later page is an error, not a partial list", async () => {
    const events = [1, 2, 3].map((i) =>
      trailEvent({ eventName: "DescribeVolumes", eventTime: minutesAgo(i), roleArn: ROLE }),
    );
    const { client, fake } = await serve(events, {
      pageSize: { cloudtrail: 2 },
      faults: [{ service: "cloudtrail", action: "LookupEvents", kind: "access-denied", every: 2 }],
    });
    const trail = await lookup(client);
    expect(lookups(fake).map((c) => c.status)).toEqual([200, 400]);
    expect(trail.sessions[EBS_SESSION_NAME]).toMatchObject({
      ok: false,
      error: { api: "cloudtrail:LookupEvents", code: "AccessDeniedException" },
    });
  });
});

describe("parseTrailEvent", () => {
  const listed = {
    EventId: "e-1",
    EventName: "DeleteVolume",
    EventTime: new Date("2026-11-28T10:00:00Z"),
    EventSource: "ec2.amazonaws.com",
  };
  const record = (body: object) => ({ ...listed, CloudTrailEvent: JSON.stringify(body) });

  it("keeps name, time, role, error and the volume from requestParameters.volumeId", () => {
    const event = parseTrailEvent(
      record({
        userIdentity: { sessionContext: { sessionIssuer: { arn: ROLE } } },
        errorCode: "Client.UnauthorizedOperation",
        errorMessage: "You are not authorized to perform this operation.",
        requestParameters: { volumeId: "vol-1" },
      }),
    );
    expect(event).toEqual({
      eventId: "e-1",
      eventName: "DeleteVolume",
      eventTime: "2026-11-28T10:00:00Z",
      eventSource: "ec2.amazonaws.com",
      roleArn: ROLE,
      errorCode: "Client.UnauthorizedOperation",
      errorMessage: "You are not authorized to perform this operation.",
      volumeId: "vol-1",
    });
  });

  it.each([
    ["CreateVolume's answer", { responseElements: { volumeId: "vol-created" } }, "vol-created"],
    [
      "DescribeVolumes' volume set",
      { requestParameters: { volumeSet: { items: [{ volumeId: "vol-described" }, { volumeId: "vol-2" }] } } },
      "vol-described",
    ],
    [
      "the request before the answer",
      { requestParameters: { volumeId: "vol-req" }, responseElements: { volumeId: "vol-resp" } },
      "vol-req",
    ],
    ["no volume at all", { requestParameters: null, responseElements: null }, undefined],
  ])("takes the volume id from %s", (_, body, volumeId) => {
    const issuer = {
      userIdentity: { type: "AssumedRole", sessionContext: { sessionIssuer: { arn: ROLE } } },
    };
    expect(parseTrailEvent(record({ ...issuer, ...body })).volumeId).toBe(volumeId);
  });

  it("marks a record that names no role as unreadable: it may be a failure of a role in scope", () => {
    expect(parseTrailEvent(record({ userIdentity: { type: "AssumedRole" } })).malformed).toMatch(
      /names no role/,
    );
  });

  it("attributes ECS's own AssumeRole of the role (a broken trust shows there) to the role it names", () => {
    const parsed = parseTrailEvent(
      record({
        eventName: "AssumeRole",
        userIdentity: { type: "AWSService", invokedBy: "ecs.amazonaws.com" },
        requestParameters: { roleArn: ROLE, roleSessionName: "ECSTaskVolumesForEBS" },
        errorCode: "AccessDenied",
      }),
    );
    expect(parsed).toMatchObject({ roleArn: ROLE, errorCode: "AccessDenied" });
    expect(parsed.malformed).toBeUndefined();
  });

  it("marks a record that is not JSON (or not an object) as malformed, keeping what LookupEvents listed", () => {
    expect(parseTrailEvent({ ...listed, CloudTrailEvent: '{"eventVersion": "1.09", "userIdent' })).toEqual({
      eventId: "e-1",
      eventName: "DeleteVolume",
      eventTime: "2026-11-28T10:00:00Z",
      eventSource: "ec2.amazonaws.com",
      malformed: expect.stringMatching(/^CloudTrailEvent is not JSON/),
    });
    expect(parseTrailEvent({ ...listed, CloudTrailEvent: "[1]" }).malformed).toMatch(/not an object/);
    expect(parseTrailEvent(listed).malformed).toMatch(/no CloudTrailEvent/);
  });
});

describe("trailWindow", () => {
  it.each([
    [undefined, DAY],
    ["86400s", DAY],
    ["1h", 3_600_000],
    ["90d", 90 * DAY],
  ])("since %s looks back %i ms", (since, ms) => {
    const { startTime, endTime } = trailWindow(since, NOW);
    expect(endTime).toEqual(NOW);
    expect(NOW.getTime() - startTime.getTime()).toBe(ms);
  });

  it.each(["91d", "7776001s", "5x", ""])("refuses since %j as an input error", (since) => {
    expect(() => trailWindow(since, NOW)).toThrow(InputError);
  });
});

describe("collect() with CloudTrail", () => {
  const account = {
    roles: [infrastructureRole()],
    managedPolicies: [awsManagedVolumesPolicy()],
  };

  it("looks the roles' EBS sessions up while IAM is read and keeps only their events", async () => {
    const { fake } = await serve(
      [
        trailEvent({
          eventName: "DeleteVolume",
          eventTime: minutesAgo(5),
          roleArn: ROLE,
          volumeId: "vol-1",
          errorCode: "Client.UnauthorizedOperation",
        }),
        trailEvent({
          eventName: "DeleteVolume",
          eventTime: minutesAgo(6),
          roleArn: OTHER,
          volumeId: "vol-2",
          errorCode: "Client.UnauthorizedOperation",
        }),
      ],
      {},
      account,
    );
    const facts = await collect({
      scope: { clusters: [], services: [], tasks: [], roles: ["ecsInfrastructureRole"], since: "3600s" },
      aws: { region: "us-east-1" },
      clients: clientsFor(fake),
      now: NOW,
    });
    expect(facts.trail?.startTime).toBe(ago(3_600_000).replace(".000Z", "Z"));
    expect(facts.trail?.sessions).toEqual({
      [EBS_SESSION_NAME]: {
        ok: true,
        value: [expect.objectContaining({ volumeId: "vol-1", roleArn: ROLE })],
      },
    });
    // Read alongside IAM (it needs the session names, not the policies); filtered once IAM has answered.
    expect(fake.requests.filter((r) => r.action === "LookupEvents")).toHaveLength(1);
  });

  it("makes no CloudTrail call with trail: false, and refuses a bad since before any call", async () => {
    const { fake } = await serve([], {}, account);
    const scope = { clusters: [], services: [], tasks: [], roles: ["ecsInfrastructureRole"] };
    const facts = await collect({
      scope,
      aws: { region: "us-east-1" },
      clients: clientsFor(fake),
      now: NOW,
      trail: false,
    });
    expect(facts.trail).toBeUndefined();
    expect(lookups(fake)).toHaveLength(0);
    const before = fake.requests.length;
    await expect(
      collect({
        scope: { ...scope, since: "100d" },
        aws: { region: "us-east-1" },
        clients: clientsFor(fake),
        now: NOW,
      }),
    ).rejects.toThrow(InputError);
    expect(fake.requests.length).toBe(before);
  });
});

/** The SDK clients of a collect() run, pointed at the fake, with zero back-off. */
function clientsFor(f: FakeAws): AwsClients {
  const run = fakeClients(f, {
    config: { retryStrategy: new ConfiguredRetryStrategy(2, () => 0) },
    ec2: false,
  });
  runClients.push(run);
  return run;
}
