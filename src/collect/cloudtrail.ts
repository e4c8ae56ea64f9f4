import { type CloudTrailClient, type Event, paginateLookupEvents } from "@aws-sdk/client-cloudtrail";
import { parseDuration } from "../duration.ts";
import { InputError } from "../errors.ts";
import type { Fact, TrailEvent, TrailFacts } from "../facts/types.ts";
import { gather } from "./fact.ts";
import { type PacerClock, paceCommand, RequestPacer } from "./pacer.ts";

/**
 * CloudTrail LookupEvents by User name (the session name ECS gives the infrastructure role), every page, paced below
 * the service's limit, each record parsed down to what the rules read: action, time, role, error and volume.
 */

/** LookupEvents' MaxResults cap. */
export const LOOKUP_EVENTS_PAGE_SIZE = 50;
export const DEFAULT_TRAIL_WINDOW_MS = 24 * 3_600_000;
/** CloudTrail event history keeps 90 days. */
export const MAX_TRAIL_WINDOW_MS = 90 * 86_400_000;

/** LookupEvents allows 2 requests a second per account and Region; more is throttled. */
export function lookupEventsPacer(clock?: PacerClock): RequestPacer {
  return new RequestPacer({ limit: 2, windowMs: 1_000, ...(clock ? { clock } : {}) });
}

let sharedLookupEvents: RequestPacer | undefined;

/** The process's LookupEvents pacer (keyed by account-Region): every run in this process shares the 2 a second. */
export function processLookupEventsPacer(): RequestPacer {
  sharedLookupEvents ??= lookupEventsPacer();
  return sharedLookupEvents;
}

/** The look-back window: `since` ("86400s", "24h"; default 24h, at most 90 days) up to `now`. */
export function trailWindow(since: string | undefined, now: Date): { startTime: Date; endTime: Date } {
  const ms = since === undefined ? DEFAULT_TRAIL_WINDOW_MS : parseDuration(since);
  if (ms === undefined) throw new InputError(`since: expected a duration such as 24h or 7d, got "${since}"`);
  if (ms > MAX_TRAIL_WINDOW_MS)
    throw new InputError(`since: at most 90d (CloudTrail event history keeps 90 days), got "${since}"`);
  return { startTime: new Date(now.getTime() - ms), endTime: now };
}

/** ISO 8601 to the second, as CloudTrail writes times. */
function isoTime(date: Date | undefined, fallback: unknown): string {
  if (date && !Number.isNaN(date.getTime())) return date.toISOString().replace(".000Z", "Z");
  return typeof fallback === "string" ? fallback : "";
}

function field(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== "object" || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

/** The volume a call was about: DetachVolume/DeleteVolume/AttachVolume name it, CreateVolume answers it, DescribeVolumes lists it. */
function volumeIdOf(record: unknown): string | undefined {
  const items = field(record, "requestParameters", "volumeSet", "items");
  const described = Array.isArray(items) ? items.map((item: unknown) => text(field(item, "volumeId"))) : [];
  return [
    text(field(record, "requestParameters", "volumeId")),
    text(field(record, "responseElements", "volumeId")),
    ...described,
  ].find((id) => id !== undefined);
}

function readRecord(raw: string | undefined): { ok: true; value: object } | { ok: false; reason: string } {
  if (raw === undefined) return { ok: false, reason: "no CloudTrailEvent in the answer" };
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return { ok: true, value };
    return { ok: false, reason: "CloudTrailEvent is JSON but not an object" };
  } catch (err) {
    return { ok: false, reason: `CloudTrailEvent is not JSON: ${(err as Error).message}` };
  }
}

/** One LookupEvents event as the rules read it; a record that cannot be read keeps its listing and says why. */
export function parseTrailEvent(event: Event): TrailEvent {
  const record = readRecord(event.CloudTrailEvent);
  const listed = {
    eventId: event.EventId ?? "",
    eventName: event.EventName ?? "",
    eventTime: isoTime(event.EventTime, undefined),
    eventSource: event.EventSource ?? "",
  };
  if (!record.ok) return { ...listed, malformed: record.reason };
  const r = record.value;
  // The role's own calls carry it as the session issuer; ECS's AssumeRole of the role names it in its parameters.
  const roleArn =
    text(field(r, "userIdentity", "sessionContext", "sessionIssuer", "arn")) ??
    (text(field(r, "eventName")) === "AssumeRole"
      ? text(field(r, "requestParameters", "roleArn"))
      : undefined);
  // A record of these sessions that names no role cannot be ruled out as a failure of a role in scope.
  if (!roleArn)
    return {
      ...listed,
      malformed: "the record names no role (no userIdentity.sessionContext.sessionIssuer.arn)",
    };
  const errorCode = text(field(r, "errorCode"));
  const errorMessage = text(field(r, "errorMessage"));
  const volumeId = volumeIdOf(r);
  return {
    eventId: listed.eventId || (text(field(r, "eventID")) ?? ""),
    eventName: listed.eventName || (text(field(r, "eventName")) ?? ""),
    eventTime: isoTime(event.EventTime, field(r, "eventTime")),
    eventSource: listed.eventSource || (text(field(r, "eventSource")) ?? ""),
    ...(roleArn ? { roleArn } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(errorMessage ? { errorMessage } : {}),
    ...(volumeId ? { volumeId } : {}),
  };
}

export interface TrailCollectorOptions {
  /** One LookupEvents series per name: the API takes one lookup attribute per call. */
  sessionNames: readonly string[];
  startTime: Date;
  endTime: Date;
  /** Whether an event's role (its session issuer ARN) is in scope; unreadable records are kept, since any role may own them. */
  inScope: (roleArn: string) => boolean;
  /** Shared by every LookupEvents call of the run, both session names, and the SDK's retries. */
  pacer: RequestPacer;
  /** The pacer's key: account and Region, the unit CloudTrail limits. */
  paceKey: string;
  /** No LookupEvents is sent before this settles (collect's reads off ECS's chain wait for ECS's first answer). */
  after?: Promise<unknown>;
}

/** LookupEvents for each session name over the window, every page; an error (denied, throttled past retries) hides the whole series. */
export async function collectTrail(
  client: CloudTrailClient,
  options: TrailCollectorOptions,
): Promise<TrailFacts> {
  const reads = new TrailReads(client, options);
  for (const name of options.sessionNames) reads.start(name);
  return reads.facts(options.sessionNames);
}

/**
 * The LookupEvents series of one run, each started the moment its session name is known to be needed (the EBS
 * session up front, another use's when a resource names a role for it) and read back for the names finally needed.
 */
export class TrailReads {
  private readonly series = new Map<string, Promise<Fact<TrailEvent[]>>>();

  constructor(
    private readonly client: CloudTrailClient,
    private readonly options: Omit<TrailCollectorOptions, "sessionNames">,
  ) {
    paceCommand(client, "LookupEventsCommand", options.pacer, options.paceKey);
  }

  /** Starts the series of one session name (once). */
  start(sessionName: string): void {
    if (!this.series.has(sessionName)) this.series.set(sessionName, this.lookup(sessionName));
  }

  /** The facts of these session names, in this order (a series not started yet starts now). */
  async facts(sessionNames: readonly string[]): Promise<TrailFacts> {
    for (const name of sessionNames) this.start(name);
    const series = await Promise.all(
      sessionNames.map(async (name) => [name, await (this.series.get(name) as Promise<Fact<TrailEvent[]>>)]),
    );
    return { startTime: isoTime(this.options.startTime, undefined), sessions: Object.fromEntries(series) };
  }

  /** Settles once every series started has, read or failed: a run hands back no facts with a call still going. */
  async settle(): Promise<void> {
    await Promise.all(this.series.values());
  }

  private lookup(sessionName: string): Promise<Fact<TrailEvent[]>> {
    const { client, options } = this;
    return gather("cloudtrail:LookupEvents", async () => {
      await options.after;
      const kept: TrailEvent[] = [];
      const pages = paginateLookupEvents(
        { client, pageSize: LOOKUP_EVENTS_PAGE_SIZE },
        {
          LookupAttributes: [{ AttributeKey: "Username", AttributeValue: sessionName }],
          StartTime: options.startTime,
          EndTime: options.endTime,
        },
      );
      for await (const page of pages) {
        for (const raw of page.Events ?? []) {
          const event = parseTrailEvent(raw);
          if (event.malformed || (event.roleArn && options.inScope(event.roleArn))) kept.push(event);
        }
      }
      return kept;
    });
  }
}
