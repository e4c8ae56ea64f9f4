import { DescribeVolumesCommand, EC2Client, paginateDescribeVolumes } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { FakeVolume } from "./account.ts";
import { type FakeAws, startFakeAws } from "./server.ts";

const TASK = "arn:aws:ecs:us-east-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";

function ecsVolume(volumeId: string, task: string, state = "in-use"): FakeVolume {
  return {
    volumeId,
    state,
    size: 100,
    availabilityZone: "us-east-1a",
    volumeType: "gp3",
    iops: 3000,
    throughput: 125,
    encrypted: false,
    createTime: "2026-11-01T00:00:00.000Z",
    tags: { AmazonECSManaged: "true", AmazonECSCreated: task },
    attachments:
      state === "in-use"
        ? [{ associatedResource: task, instanceOwningService: "ecs.amazonaws.com", state: "attached" }]
        : [],
  };
}

let fake: FakeAws;
let ec2: EC2Client;

beforeAll(async () => {
  fake = await startFakeAws(
    {
      accountId: "111122223333",
      volumes: [
        ecsVolume("vol-0a", TASK),
        ecsVolume("vol-0b", `${TASK.slice(0, -1)}0`, "available"),
        ecsVolume("vol-0c", `${TASK.slice(0, -1)}1`),
        { volumeId: "vol-0d", state: "available", tags: { Name: "mine & <yours>" } },
      ],
    },
    { pageSize: { ec2: 2 } },
  );
  ec2 = new EC2Client(fake.clientConfig());
});

afterAll(async () => {
  ec2.destroy();
  await fake.close();
});

test("DescribeVolumes by id returns EC2's shape: State, type, IOPS, throughput, Tags, Attachments with the ECS task", async () => {
  const { Volumes } = await ec2.send(new DescribeVolumesCommand({ VolumeIds: ["vol-0a"] }));
  expect(Volumes).toEqual([
    {
      VolumeId: "vol-0a",
      Size: 100,
      AvailabilityZone: "us-east-1a",
      VolumeType: "gp3",
      // EC2's XML elements iops and throughput, read by the SDK's own model.
      Iops: 3000,
      Throughput: 125,
      Encrypted: false,
      CreateTime: new Date("2026-11-01T00:00:00.000Z"),
      State: "in-use",
      Attachments: [
        {
          VolumeId: "vol-0a",
          AssociatedResource: TASK,
          InstanceOwningService: "ecs.amazonaws.com",
          State: "attached",
        },
      ],
      Tags: [
        { Key: "AmazonECSManaged", Value: "true" },
        { Key: "AmazonECSCreated", Value: TASK },
      ],
    },
  ]);
  expect(fake.requests.at(-1)).toMatchObject({
    service: "ec2",
    action: "DescribeVolumes",
    params: { "VolumeId.1": "vol-0a" },
  });
});

test("filters on tag:<key> (with wildcards) and attachment.associated-resource", async () => {
  const byTag = await ec2.send(
    new DescribeVolumesCommand({
      Filters: [{ Name: "tag:AmazonECSCreated", Values: ["arn:aws:ecs:*:task/prod/*"] }],
    }),
  );
  expect(byTag.Volumes?.map((v) => v.VolumeId)).toEqual(["vol-0a", "vol-0b"]);
  expect(byTag.NextToken).toBeDefined();

  const byTask = await ec2.send(
    new DescribeVolumesCommand({ Filters: [{ Name: "attachment.associated-resource", Values: [TASK] }] }),
  );
  expect(byTask.Volumes?.map((v) => v.VolumeId)).toEqual(["vol-0a"]);
});

test("the paginator follows NextToken to the end; XML-special tag values survive", async () => {
  const ids: string[] = [];
  const tags: string[] = [];
  for await (const page of paginateDescribeVolumes({ client: ec2 }, { MaxResults: 5 })) {
    ids.push(...(page.Volumes ?? []).map((v) => v.VolumeId ?? ""));
    tags.push(...(page.Volumes ?? []).flatMap((v) => v.Tags ?? []).map((t) => t.Value ?? ""));
  }
  expect(ids).toEqual(["vol-0a", "vol-0b", "vol-0c", "vol-0d"]);
  expect(tags).toContain("mine & <yours>");
});

test("an unknown volume id is InvalidVolume.NotFound; an unknown filter is InvalidParameterValue", async () => {
  await expect(ec2.send(new DescribeVolumesCommand({ VolumeIds: ["vol-nope"] }))).rejects.toMatchObject({
    name: "InvalidVolume.NotFound",
    message: "The volume 'vol-nope' does not exist.",
    $metadata: { httpStatusCode: 400 },
  });
  await expect(
    ec2.send(new DescribeVolumesCommand({ Filters: [{ Name: "colour", Values: ["blue"] }] })),
  ).rejects.toMatchObject({ name: "InvalidParameterValue" });
});
