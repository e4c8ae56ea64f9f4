import type { FakeTrailEvent } from "./account.ts";
import { AwsError } from "./errors.ts";
import { type JsonParams, optInt, optObjectList, optString, optTimestamp } from "./json.ts";
import { decodeToken, effectivePageSize, encodeToken, pageOf } from "./paging.ts";
import { type FakeState, stableId } from "./state.ts";

/**
 * CloudTrail (awsJson1_1): LookupEvents over the account's events, newest first, StartTime/EndTime inclusive,
 * at most one lookup attribute, 50 events a page, and the 90-day window when no StartTime is given.
 */

const NINETY_DAYS_MS = 90 * 24 * 60 * 60 * 1000;
const ATTRIBUTE_KEYS = [
  "EventId",
  "EventName",
  "ReadOnly",
  "Username",
  "ResourceType",
  "ResourceName",
  "EventSource",
  "AccessKeyId",
] as const;
type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

export function handleCloudTrail(state: FakeState, action: string, params: JsonParams): object {
  if (action !== "LookupEvents")
    throw new AwsError("UnknownOperationException", `Unknown operation ${action}`);
  return lookupEvents(state, params);
}

interface LookupAttribute {
  key: AttributeKey;
  value: string;
}

/** The one lookup attribute (none is allowed: every event matches); more than one is refused as CloudTrail does. */
function lookupAttribute(params: JsonParams): LookupAttribute | undefined {
  const attributes = optObjectList(params, "LookupAttributes") ?? [];
  if (attributes.length > 1) {
    throw new AwsError(
      "InvalidLookupAttributesException",
      "You cannot specify more than one lookup attribute.",
    );
  }
  const [attribute] = attributes;
  if (!attribute) return undefined;
  const key = optString(attribute, "AttributeKey");
  const value = optString(attribute, "AttributeValue");
  if (!ATTRIBUTE_KEYS.some((known) => known === key) || value === undefined) {
    throw new AwsError("InvalidLookupAttributesException", "Lookup attribute key or value is not valid.");
  }
  return { key: key as AttributeKey, value };
}

interface Resource {
  ResourceType: string;
  ResourceName: string;
}

function recordField(event: FakeTrailEvent, path: string[]): unknown {
  let value: unknown = event.record;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function itemsField(event: FakeTrailEvent, set: string, field: string): unknown[] {
  const items = recordField(event, ["requestParameters", set, "items"]);
  return Array.isArray(items)
    ? items.map((item: unknown) => (item as Record<string, unknown> | null)?.[field])
    : [];
}

/** The volumes CloudTrail lists as an EC2 event's resources: from volumeId, volumeSet or resourcesSet. */
function resourcesOf(event: FakeTrailEvent): Resource[] {
  const candidates = [
    recordField(event, ["requestParameters", "volumeId"]),
    recordField(event, ["responseElements", "volumeId"]),
    ...itemsField(event, "volumeSet", "volumeId"),
    ...itemsField(event, "resourcesSet", "resourceId"),
  ];
  const volumeIds = new Set(
    candidates.filter((id): id is string => typeof id === "string" && id.startsWith("vol-")),
  );
  return [...volumeIds].map((volumeId) => ({ ResourceType: "AWS::EC2::Volume", ResourceName: volumeId }));
}

function eventIdOf(event: FakeTrailEvent): string {
  if (event.eventId) return event.eventId;
  const fromRecord = recordField(event, ["eventID"]);
  if (typeof fromRecord === "string") return fromRecord;
  const hex = stableId("", `${event.eventTime}/${event.eventName}/${event.username}`, 32, "hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function eventSourceOf(event: FakeTrailEvent): string {
  const fromRecord = recordField(event, ["eventSource"]);
  return event.eventSource ?? (typeof fromRecord === "string" ? fromRecord : "ec2.amazonaws.com");
}

function matches(event: FakeTrailEvent, attribute: LookupAttribute | undefined): boolean {
  if (!attribute) return true;
  const { key, value } = attribute;
  switch (key) {
    case "EventId":
      return eventIdOf(event) === value;
    case "EventName":
      return event.eventName === value;
    case "Username":
      return event.username === value;
    case "EventSource":
      return eventSourceOf(event) === value;
    case "ReadOnly":
      return String(recordField(event, ["readOnly"]) ?? false) === value;
    case "AccessKeyId":
      return recordField(event, ["userIdentity", "accessKeyId"]) === value;
    case "ResourceName":
      return resourcesOf(event).some((resource) => resource.ResourceName === value);
    case "ResourceType":
      return resourcesOf(event).some((resource) => resource.ResourceType === value);
  }
}

function renderEvent(event: FakeTrailEvent): object {
  const eventId = eventIdOf(event);
  const record = { ...event.record, eventID: eventId };
  const readOnly = recordField(event, ["readOnly"]);
  const accessKeyId = recordField(event, ["userIdentity", "accessKeyId"]);
  return {
    EventId: eventId,
    EventName: event.eventName,
    ReadOnly: readOnly === undefined ? undefined : String(readOnly),
    AccessKeyId: typeof accessKeyId === "string" ? accessKeyId : undefined,
    EventTime: Date.parse(event.eventTime) / 1000,
    EventSource: eventSourceOf(event),
    Username: event.username,
    Resources: resourcesOf(event),
    CloudTrailEvent: JSON.stringify(record),
  };
}

function lookupEvents(state: FakeState, params: JsonParams): object {
  const attribute = lookupAttribute(params);
  const nowMs = state.now().getTime();
  const endMs = (optTimestamp(params, "EndTime") ?? nowMs / 1000) * 1000;
  const startMs = (optTimestamp(params, "StartTime") ?? (nowMs - NINETY_DAYS_MS) / 1000) * 1000;
  if (startMs > endMs) {
    throw new AwsError("InvalidTimeRangeException", "Start time must be earlier than or equal to end time.");
  }
  const maxResults = optInt(params, "MaxResults");
  if (maxResults !== undefined && (maxResults < 1 || maxResults > 50)) {
    throw new AwsError("InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
  }
  const selected = (state.account.trailEvents ?? [])
    .map((event, index) => ({ event, index, ms: Date.parse(event.eventTime) }))
    .filter(({ event, ms }) => ms >= startMs && ms <= endMs && matches(event, attribute))
    // Newest first; events at the same time keep a stable order.
    .sort((a, b) => b.ms - a.ms || a.index - b.index)
    .map(({ event }) => event);
  const query = ["LookupEvents", attribute, startMs, endMs];
  const token = optString(params, "NextToken");
  let offset = 0;
  if (token !== undefined) {
    const decoded = decodeToken(token, query);
    if (decoded === undefined) {
      throw new AwsError(
        "InvalidNextTokenException",
        "A token that is not valid, or a token that was previously used.",
      );
    }
    offset = decoded;
  }
  const page = pageOf(selected, offset, effectivePageSize(maxResults, 50, state.pageSize.cloudtrail));
  return {
    Events: page.items.map(renderEvent),
    NextToken: page.next === undefined ? undefined : encodeToken(page.next, query),
  };
}
