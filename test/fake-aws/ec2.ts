import type { FakeVolume } from "./account.ts";
import { AwsError } from "./errors.ts";
import { decodeToken, effectivePageSize, encodeToken, pageOf } from "./paging.ts";
import { ec2Filters, type QueryFilter, type QueryParams, queryList } from "./query.ts";
import type { FakeState } from "./state.ts";
import type { FakeWorld } from "./world.ts";
import type { XmlFields, XmlValue } from "./xml.ts";

/**
 * EC2 (ec2Query, 2016-11-15): DescribeVolumes with VolumeId.N, Filter.N.Name/Value.M (EC2 wildcards `*` and `?`),
 * MaxResults/NextToken. XML names are EC2's own: `volumeSet`, `status` for State, `tagSet`, `attachmentSet`.
 */

export function handleEc2(
  state: FakeState,
  action: string,
  params: QueryParams,
  world?: FakeWorld,
): XmlFields {
  if (action === "DescribeRegions" && world) return describeRegions(state, params, world);
  if (action !== "DescribeVolumes") {
    throw new AwsError("InvalidAction", `The action ${action} is not valid for this web service.`);
  }
  return describeVolumes(state, params);
}

type VolumeMatcher = (volume: FakeVolume, values: readonly string[]) => boolean;

function attachmentField(volume: FakeVolume, field: string): string[] {
  return (volume.attachments ?? []).flatMap((attachment) => {
    const value = (attachment as Record<string, unknown>)[field];
    return typeof value === "string" ? [value] : [];
  });
}

/** EC2 filter values accept `*` (any run) and `?` (one character). */
function globMatches(pattern: string, text: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "s").test(text);
}

function anyMatches(values: readonly string[], candidates: readonly string[]): boolean {
  return candidates.some((candidate) => values.some((value) => globMatches(value, candidate)));
}

const MATCHERS: Record<string, VolumeMatcher> = {
  "volume-id": (volume, values) => anyMatches(values, [volume.volumeId]),
  status: (volume, values) => anyMatches(values, [volume.state]),
  "tag-key": (volume, values) => anyMatches(values, Object.keys(volume.tags ?? {})),
  "attachment.associated-resource": (volume, values) =>
    anyMatches(values, attachmentField(volume, "associatedResource")),
  "attachment.instance-owning-service": (volume, values) =>
    anyMatches(values, attachmentField(volume, "instanceOwningService")),
  "attachment.status": (volume, values) => anyMatches(values, attachmentField(volume, "state")),
  "attachment.instance-id": (volume, values) => anyMatches(values, attachmentField(volume, "instanceId")),
  "availability-zone": (volume, values) =>
    anyMatches(values, typeof volume.availabilityZone === "string" ? [volume.availabilityZone] : []),
};

function matcherFor(filter: QueryFilter): (volume: FakeVolume) => boolean {
  if (filter.name.startsWith("tag:")) {
    const key = filter.name.slice("tag:".length);
    return (volume) => {
      const value = volume.tags?.[key];
      return value !== undefined && anyMatches(filter.values, [value]);
    };
  }
  const matcher = MATCHERS[filter.name];
  if (!matcher) throw new AwsError("InvalidParameterValue", `The filter '${filter.name}' is invalid`);
  return (volume) => matcher(volume, filter.values);
}

const VOLUME_KEYS_RENDERED_APART = new Set(["volumeId", "state", "tags", "attachments"]);

function scalar(value: unknown): XmlValue {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? value
    : undefined;
}

/** A VolumeAttachment in EC2 XML: SDK spelling in, `status` for State out. */
function renderAttachment(volumeId: string, attachment: object): XmlFields {
  const fields: XmlFields = { volumeId };
  for (const [key, value] of Object.entries(attachment)) {
    fields[key === "state" ? "status" : key] = scalar(value);
  }
  return fields;
}

function renderVolume(volume: FakeVolume): XmlFields {
  const fields: XmlFields = { volumeId: volume.volumeId };
  for (const [key, value] of Object.entries(volume)) {
    if (!VOLUME_KEYS_RENDERED_APART.has(key)) fields[key] = scalar(value);
  }
  fields.status = volume.state;
  fields.attachmentSet = (volume.attachments ?? []).map((attachment) =>
    renderAttachment(volume.volumeId, attachment),
  );
  fields.tagSet = Object.entries(volume.tags ?? {}).map(([key, value]) => ({ key, value }));
  return fields;
}

function describeVolumes(state: FakeState, params: QueryParams): XmlFields {
  if (params.DryRun === "true") {
    throw new AwsError("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
  }
  const volumeIds = queryList(params, "VolumeId");
  const maxResults = params.MaxResults === undefined ? undefined : Number(params.MaxResults);
  if (maxResults !== undefined && volumeIds.length > 0) {
    throw new AwsError(
      "InvalidParameterCombination",
      "The parameter volumeSet cannot be used with the parameter maxResults",
    );
  }
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 1000)) {
    throw new AwsError(
      "InvalidParameterValue",
      `Value ( ${params.MaxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`,
    );
  }
  const all = state.account.volumes ?? [];
  const missing = volumeIds.filter((id) => !all.some((volume) => volume.volumeId === id));
  if (missing.length > 0) {
    throw new AwsError("InvalidVolume.NotFound", `The volume '${missing.join("', '")}' does not exist.`);
  }
  const filters = ec2Filters(params);
  const matchers = filters.map(matcherFor);
  const selected = all.filter(
    (volume) =>
      (volumeIds.length === 0 || volumeIds.includes(volume.volumeId)) &&
      matchers.every((match) => match(volume)),
  );
  const query = ["DescribeVolumes", volumeIds, filters];
  let offset = 0;
  if (params.NextToken !== undefined) {
    const decoded = decodeToken(params.NextToken, query);
    if (decoded === undefined)
      throw new AwsError("InvalidParameterValue", "The token provided is not valid.");
    offset = decoded;
  }
  // Without MaxResults EC2 returns everything; the fake's page-size cap applies either way.
  const page = pageOf(
    selected,
    offset,
    effectivePageSize(maxResults, Number.POSITIVE_INFINITY, state.pageSize.ec2),
  );
  return {
    volumeSet: page.items.map(renderVolume),
    nextToken: page.next === undefined ? undefined : encodeToken(page.next, query),
  };
}

/** DescribeRegions: the account's enabled Regions; AllRegions=true adds the ones not opted in. */
function describeRegions(state: FakeState, params: QueryParams, world: FakeWorld): XmlFields {
  const enabled = world.regionsOf(state.accountId).map((name) => ({
    regionName: name,
    regionEndpoint: `ec2.${name}.amazonaws.com`,
    optInStatus: "opt-in-not-required",
  }));
  const others =
    params.AllRegions === "true"
      ? (world.options.notOptedInRegions ?? []).map((name) => ({
          regionName: name,
          regionEndpoint: `ec2.${name}.amazonaws.com`,
          optInStatus: "not-opted-in",
        }))
      : [];
  return { regionInfo: [...enabled, ...others] };
}
