import type { EC2Client, Volume } from "@aws-sdk/client-ec2";
import type { Ec2Facts, VolumeAttachmentFacts, VolumeFacts } from "../facts/types.ts";
import { gather } from "./fact.ts";

/**
 * EC2 DescribeVolumes for the volumes ECS created for tasks (tag AmazonECSManaged=true), every page, each volume
 * kept down to what the leaked-volumes rule reads: state, size, type, IOPS, throughput, zone, owner tags and
 * attachments.
 */

/** DescribeVolumes' MaxResults bounds: EC2 refuses a page size outside 5–1000. */
export const DESCRIBE_VOLUMES_MIN_PAGE = 5;
export const DESCRIBE_VOLUMES_MAX_PAGE = 1000;

/** The tags worth keeping: ECS's own two, and Name to help a person recognise the volume. */
const KEPT_TAGS = new Set(["AmazonECSManaged", "AmazonECSCreated", "Name"]);

export interface VolumesCollectOptions {
  /** MaxResults; clamped to what EC2 accepts (tests pass 2 for other services' sake). Default 1000. */
  pageSize?: number;
}

function pageSizeFor(asked: number | undefined): number {
  const size = asked ?? DESCRIBE_VOLUMES_MAX_PAGE;
  return Math.min(Math.max(size, DESCRIBE_VOLUMES_MIN_PAGE), DESCRIBE_VOLUMES_MAX_PAGE);
}

function attachmentFacts(a: NonNullable<Volume["Attachments"]>[number]): VolumeAttachmentFacts {
  return {
    ...(a.AssociatedResource ? { associatedResource: a.AssociatedResource } : {}),
    ...(a.InstanceId ? { instanceId: a.InstanceId } : {}),
    ...(a.State ? { state: a.State } : {}),
    ...(a.InstanceOwningService ? { instanceOwningService: a.InstanceOwningService } : {}),
  };
}

export function volumeFacts(v: Volume): VolumeFacts | undefined {
  if (!v.VolumeId) return undefined;
  const tags: Record<string, string> = {};
  for (const t of v.Tags ?? []) if (t.Key && KEPT_TAGS.has(t.Key)) tags[t.Key] = t.Value ?? "";
  const created = v.CreateTime && !Number.isNaN(v.CreateTime.getTime()) ? v.CreateTime : undefined;
  return {
    volumeId: v.VolumeId,
    state: v.State ?? "",
    ...(created ? { createTime: created.toISOString() } : {}),
    ...(v.Size !== undefined ? { size: v.Size } : {}),
    // Type, IOPS and throughput price a leaked volume.
    ...(v.VolumeType ? { volumeType: v.VolumeType } : {}),
    ...(v.Iops !== undefined ? { iops: v.Iops } : {}),
    ...(v.Throughput !== undefined ? { throughput: v.Throughput } : {}),
    ...(v.AvailabilityZone ? { availabilityZone: v.AvailabilityZone } : {}),
    tags,
    attachments: (v.Attachments ?? []).map(attachmentFacts),
  };
}

/**
 * Every ECS-managed volume in the Region. The client is loaded by the caller's `loadClient` inside the fact, so a
 * failure to load it is an error fact like AccessDenied or throttling past the SDK's retries, never a throw.
 */
export async function collectVolumes(
  loadClient: () => Promise<EC2Client>,
  options: VolumesCollectOptions = {},
): Promise<Ec2Facts> {
  const volumes = await gather("ec2:DescribeVolumes", async () => {
    const client = await loadClient();
    // Imported here, with the client: @aws-sdk/client-ec2 costs start-up time a run without ECS must not pay.
    const { paginateDescribeVolumes } = await import("@aws-sdk/client-ec2");
    const out: VolumeFacts[] = [];
    const pages = paginateDescribeVolumes(
      { client, pageSize: pageSizeFor(options.pageSize) },
      { Filters: [{ Name: "tag:AmazonECSManaged", Values: ["true"] }] },
    );
    for await (const page of pages) {
      for (const v of page.Volumes ?? []) {
        const facts = volumeFacts(v);
        if (facts) out.push(facts);
      }
    }
    return out;
  });
  return { volumes };
}
