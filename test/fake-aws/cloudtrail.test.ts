import { CloudTrailClient, LookupEventsCommand, paginateLookupEvents } from "@aws-sdk/client-cloudtrail";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { EBS_SESSION_NAME, roleArnOf, trailEvent } from "./builders.ts";
import { type FakeAws, startFakeAws } from "./server.ts";

const NOW = new Date("2026-11-28T12:00:00Z");
const ROLE = roleArnOf("ecsInfrastructureRole");
const OTHER_ROLE = roleArnOf("otherInfraRole");
const byUsername = [{ AttributeKey: "Username" as const, AttributeValue: EBS_SESSION_NAME }];

let fake: FakeAws;
let trail: CloudTrailClient;

beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: "111122223333",
      // Deliberately not in time order: the server sorts newest first.
      trailEvents: [
        trailEvent({
          eventName: "DetachVolume",
          eventTime: "2026-11-28T10:00:00Z",
          roleArn: ROLE,
          volumeId: "vol-1",
        }),
        trailEvent({
          eventName: "DeleteVolume",
          eventTime: "2026-11-28T11:00:00Z",
          roleArn: ROLE,
          volumeId: "vol-1",
          errorCode: "Client.UnauthorizedOperation",
        }),
        trailEvent({
          eventName: "CreateVolume",
          eventTime: "2026-11-27T09:00:00Z",
          roleArn: OTHER_ROLE,
          volumeId: "vol-2",
        }),
        trailEvent({
          eventName: "DescribeVolumes",
          eventTime: "2026-11-28T09:30:00Z",
          roleArn: ROLE,
          volumeId: "vol-1",
        }),
        trailEvent({
          eventName: "CreateTags",
          eventTime: "2026-11-27T09:00:01Z",
          roleArn: OTHER_ROLE,
          volumeId: "vol-2",
        }),
        trailEvent({
          eventName: "DeleteVolume",
          eventTime: "2026-06-01T00:00:00Z",
          roleArn: ROLE,
          volumeId: "vol-old",
        }),
        trailEvent({
          eventName: "GetSecretValue",
          eventTime: "2026-11-28T11:30:00Z",
          roleArn: ROLE,
          sessionName: "ECSServiceConnectForTLS",
        }),
      ],
    },
    { pageSize: { cloudtrail: 2 }, now: () => NOW },
  );
  trail = new CloudTrailClient(fake.clientConfig());
});

afterAll(async () => {
  trail.destroy();
  await fake.close();
});

describe("LookupEvents", () => {
  test("Username lookup returns the session's events newest first, across pages, inside 90 days", async () => {
    const before = fake.requests.length;
    const events = [];
    for await (const page of paginateLookupEvents({ client: trail }, { LookupAttributes: byUsername })) {
      events.push(...(page.Events ?? []));
    }
    expect(events.map((e) => [e.EventName, e.EventTime?.toISOString()])).toEqual([
      ["DeleteVolume", "2026-11-28T11:00:00.000Z"],
      ["DetachVolume", "2026-11-28T10:00:00.000Z"],
      ["DescribeVolumes", "2026-11-28T09:30:00.000Z"],
      ["CreateTags", "2026-11-27T09:00:01.000Z"],
      ["CreateVolume", "2026-11-27T09:00:00.000Z"],
    ]);
    expect(fake.requests.slice(before).filter((r) => r.action === "LookupEvents")).toHaveLength(3);
  });

  test("StartTime and EndTime are inclusive", async () => {
    const out = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: byUsername,
        StartTime: new Date("2026-11-28T09:30:00Z"),
        EndTime: new Date("2026-11-28T11:00:00Z"),
        MaxResults: 50,
      }),
    );
    const names: string[] = (out.Events ?? []).map((e) => e.EventName ?? "");
    expect(names).toEqual(["DeleteVolume", "DetachVolume"]);
    expect(out.NextToken).toBeDefined();
    const rest = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: byUsername,
        StartTime: new Date("2026-11-28T09:30:00Z"),
        EndTime: new Date("2026-11-28T11:00:00Z"),
        NextToken: out.NextToken,
      }),
    );
    expect(rest.Events?.map((e) => e.EventName)).toEqual(["DescribeVolumes"]);
    expect(rest.NextToken).toBeUndefined();
  });

  test("the request carries epoch-second times, as the JSON protocol does", async () => {
    await trail.send(
      new LookupEventsCommand({ LookupAttributes: byUsername, StartTime: new Date("2026-11-28T00:00:00Z") }),
    );
    expect(fake.requests.at(-1)?.params).toMatchObject({
      StartTime: Date.parse("2026-11-28T00:00:00Z") / 1000,
    });
  });

  test("an event carries the role's session record as a JSON string, and the volume as a resource", async () => {
    const out = await trail.send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: "EventName", AttributeValue: "DeleteVolume" }],
      }),
    );
    const [event] = out.Events ?? [];
    expect(event).toMatchObject({
      EventSource: "ec2.amazonaws.com",
      Username: EBS_SESSION_NAME,
      Resources: [{ ResourceType: "AWS::EC2::Volume", ResourceName: "vol-1" }],
    });
    const record = JSON.parse(event?.CloudTrailEvent ?? "{}");
    expect(record).toMatchObject({
      eventID: event?.EventId,
      eventName: "DeleteVolume",
      errorCode: "Client.UnauthorizedOperation",
      requestParameters: { volumeId: "vol-1" },
      userIdentity: {
        type: "AssumedRole",
        arn: `arn:aws:sts::111122223333:assumed-role/ecsInfrastructureRole/${EBS_SESSION_NAME}`,
        invokedBy: "ecs.amazonaws.com",
        sessionContext: { sessionIssuer: { type: "Role", arn: ROLE } },
      },
    });
    expect(record.errorMessage).toMatch(
      /not authorized to perform: ec2:DeleteVolume on resource: .*volume\/vol-1/,
    );
  });

  test("more than one lookup attribute is InvalidLookupAttributesException", async () => {
    const two = [...byUsername, { AttributeKey: "EventName" as const, AttributeValue: "DeleteVolume" }];
    await expect(trail.send(new LookupEventsCommand({ LookupAttributes: two }))).rejects.toMatchObject({
      name: "InvalidLookupAttributesException",
      $metadata: { httpStatusCode: 400 },
    });
  });

  test("MaxResults above 50 and a token replayed with other parameters are refused", async () => {
    await expect(trail.send(new LookupEventsCommand({ MaxResults: 51 }))).rejects.toMatchObject({
      name: "InvalidMaxResultsException",
    });
    const first = await trail.send(new LookupEventsCommand({ LookupAttributes: byUsername }));
    await expect(
      trail.send(
        new LookupEventsCommand({ NextToken: first.NextToken, StartTime: new Date("2026-11-01T00:00:00Z") }),
      ),
    ).rejects.toMatchObject({ name: "InvalidNextTokenException" });
  });
});

test("accepts botocore's long X-Amz-Target prefix as well as the JS SDK's short one", async () => {
  const response = await fetch(fake.url, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amz-target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
    },
    body: JSON.stringify({
      LookupAttributes: [{ AttributeKey: "ResourceName", AttributeValue: "vol-2" }],
      MaxResults: 50,
    }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/x-amz-json-1.1");
  const body = (await response.json()) as { Events: { EventName: string; EventTime: number }[] };
  expect(body.Events.map((e) => e.EventName)).toEqual(["CreateTags", "CreateVolume"]);
  expect(body.Events[0]?.EventTime).toBe(Date.parse("2026-11-27T09:00:01Z") / 1000);
  expect(fake.requests.at(-1)).toMatchObject({ service: "cloudtrail", action: "LookupEvents", status: 200 });
});

test("the JS SDK really sends the short prefix (so both forms are exercised)", async () => {
  const client = new CloudTrailClient(fake.clientConfig());
  const targets: string[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const { headers } = args.request as { headers: Record<string, string> };
      targets.push(headers["x-amz-target"] ?? "");
      return next(args);
    },
    { step: "finalizeRequest", name: "captureTarget" },
  );
  await client.send(new LookupEventsCommand({}));
  client.destroy();
  expect(targets).toEqual(["CloudTrail_20131101.LookupEvents"]);
});
