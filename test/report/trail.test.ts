import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import type { Facts, TrailEvent } from "../../src/facts/types.ts";
import { evaluate } from "../../src/pipeline/evaluate.ts";
import { formatReport } from "../../src/report/index.ts";
import { trailSummary } from "../../src/report/trail.ts";
import { ACCOUNT, err, facts, ok, role } from "../support/facts.ts";

const EBS = "ECSTaskVolumesForEBS";
const TLS = "ECSServiceConnectForTLS";
const INFRA = `arn:aws:iam::${ACCOUNT}:role/ecsInfra`;
const QUIET = `arn:aws:iam::${ACCOUNT}:role/quietRole`;
const TASK = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/0123abcd`;
const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/prod`;

/** A call at an hour of 2026-11-27 (a full ISO time also works). */
const call = (eventName: string, hh: string, extra: Partial<TrailEvent> = {}): TrailEvent => ({
  eventId: `${eventName}-${hh}`,
  eventName,
  eventTime: hh.includes("T") ? hh : `2026-11-27T${hh}:00:00Z`,
  eventSource: "ec2.amazonaws.com",
  roleArn: INFRA,
  ...extra,
});
const denied = (eventName: string, hh: string, volumeId: string) =>
  call(eventName, hh, { errorCode: "Client.UnauthorizedOperation", volumeId });

const sample: Facts = facts([role("ecsInfra"), role("quietRole")], {
  trail: {
    startTime: "2026-11-26T12:00:00Z",
    sessions: {
      [EBS]: ok([
        denied("DeleteVolume", "11", "vol-1"),
        call("DescribeVolumes", "10", { volumeId: "vol-1" }),
        call("DetachVolume", "09", { volumeId: "vol-1" }),
        denied("DeleteVolume", "08", "vol-1"),
        call("DeleteVolume", "07", { volumeId: "vol-0", errorCode: "Client.IncorrectState" }),
        call("CreateVolume", "06", { volumeId: "vol-1" }),
        call("CreateVolume", "05", { volumeId: "vol-0" }),
        call("DeleteVolume", "2026-11-20T00:00:00Z", { volumeId: "vol-old" }), // before the window
        call("DeleteVolume", "10", {
          roleArn: `arn:aws:iam::${ACCOUNT}:role/notInScope`,
          errorCode: "AccessDenied",
        }),
      ]),
    },
  },
  ecs: {
    clusters: ok([
      {
        arn: CLUSTER,
        name: "prod",
        services: ok([]),
        tasks: ok([
          {
            arn: TASK,
            clusterArn: CLUSTER,
            lastStatus: "DEPROVISIONING",
            desiredStatus: "STOPPED",
            ebsAttachments: [{ id: "a", status: "DETACHING", volumeId: "vol-1" }],
          },
        ]),
      },
    ]),
  },
});

describe("trailSummary", () => {
  it("counts each role's calls by action and outcome, with last success, last failure and linked stuck tasks", () => {
    expect(trailSummary(sample)).toEqual({
      [EBS]: [
        {
          roleArn: INFRA,
          counts: {
            CreateVolume: { success: 2 },
            DeleteVolume: { "Client.UnauthorizedOperation": 2, "Client.IncorrectState": 1 },
            DescribeVolumes: { success: 1 },
            DetachVolume: { success: 1 },
          },
          lastSuccess: "2026-11-27T10:00:00Z",
          lastFailure: "2026-11-27T11:00:00Z",
          stuckTasks: [
            {
              taskArn: TASK,
              clusterArn: CLUSTER,
              volumeId: "vol-1",
              action: "DeleteVolume",
              errorCode: "Client.UnauthorizedOperation",
              lastFailure: "2026-11-27T11:00:00Z",
            },
          ],
        },
        { roleArn: QUIET, counts: {} },
      ],
    });
  });

  it("leaves out a session whose lookup failed, and is empty without CloudTrail facts", () => {
    const failed = facts([role("ecsInfra")], {
      trail: { startTime: "2026-11-26T12:00:00Z", sessions: { [EBS]: err("cloudtrail:LookupEvents") } },
    });
    expect(trailSummary(failed)).toEqual({});
    expect(trailSummary(facts([role("ecsInfra")]))).toEqual({});
  });

  it("lists the TLS session only for roles a service uses for Service Connect TLS, and counts unreadable records", () => {
    const tls = role("ecsTls", {
      referencedBy: [{ kind: "service", cluster: CLUSTER, service: "web", use: "service-connect-tls" }],
    });
    const unreadable: TrailEvent = {
      eventId: "x",
      eventName: "GetSecretValue",
      eventTime: "2026-11-27T10:00:00Z",
      eventSource: "secretsmanager.amazonaws.com",
      malformed: "not JSON",
    };
    const summary = trailSummary(
      facts([role("ecsInfra"), tls], {
        trail: { startTime: "2026-11-26T12:00:00Z", sessions: { [EBS]: ok([]), [TLS]: ok([unreadable]) } },
      }),
    );
    expect(summary[EBS]?.map((r) => r.roleArn)).toEqual([INFRA, `arn:aws:iam::${ACCOUNT}:role/ecsTls`]);
    expect(summary[TLS]).toEqual([
      { roleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTls`, counts: {}, unreadable: 1 },
    ]);
  });
});

describe("the trail in reports", () => {
  const report = evaluate(sample);

  it("text: a table per role, readable at a glance", () => {
    const text = formatReport(report, "text", { color: false, rules });
    const start = text.indexOf("CloudTrail: ");
    const table = text.slice(start, text.indexOf("\n\n", start));
    expect(table).toBe(
      [
        "CloudTrail: ECSTaskVolumesForEBS sessions",
        `  ecsInfra  ${INFRA}`,
        "    Action               OK  Failed",
        "    CreateVolume          2       -",
        "    DeleteVolume          -       3  Client.IncorrectState ×1, Client.UnauthorizedOperation ×2",
        "    DescribeVolumes       1       -",
        "    DetachVolume          1       -",
        "    last success 2026-11-27T10:00:00Z · last failure 2026-11-27T11:00:00Z",
        "    ✗ task 0123abcd is stuck because DeleteVolume on vol-1 is denied (Client.UnauthorizedOperation), last at 2026-11-27T11:00:00Z",
        `  quietRole  ${QUIET}`,
        "    no calls in the window",
      ].join("\n"),
    );
    expect(text.indexOf("CloudTrail: ")).toBeGreaterThan(text.indexOf("FAIL    cloudtrail-errors"));
  });

  it("json: `trail` is structured and validates against schema/report.schema.json", () => {
    const json = JSON.parse(formatReport(report, "json", { color: false, rules }));
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(reportSchema);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.trail[EBS][0].counts.DeleteVolume).toEqual({
      "Client.UnauthorizedOperation": 2,
      "Client.IncorrectState": 1,
    });
    expect(json.trail[EBS][0].stuckTasks[0].taskArn).toBe(TASK);
  });
});
