/**
 * The timeline of one live run, read from the fake AWS's request log: when the first request left after the process
 * started, the waves of requests, the gaps between them with no request in flight (the client was loading code or
 * computing), and each figure's floor, so what is left above a floor is the client's own time.
 * Pure: bench/live.ts feeds it the log, bench/timeline.mjs prints it.
 */

/** One request as the fake recorded it, in ms since the checked process was spawned. */
export interface TimedRequest {
  api: string;
  /** When the fake had read the request. */
  at: number;
  /** When it sent the answer (at + the added latency + its own service time). */
  endAt: number;
}

/** Requests in flight, with no pause between them as long as a gap (shorter pauses are inside, as `idleMs`). */
export interface Wave {
  startMs: number;
  endMs: number;
  requests: number;
  /** The APIs of the requests that opened the wave (those that left before any answer in it arrived). */
  openedBy: string[];
  /** Requests by API. */
  apis: Record<string, number>;
  /** The most of its requests that ran one after another (each leaving after the one before was answered). The log
   *  counts whole ms: at 0 ms latency, requests read and answered within one ms count as in sequence. */
  roundTrips: number;
  /** What the fake itself spent on those round trips (their latency and service time): the wave's floor. */
  floorMs: number;
  /** Pauses shorter than a gap, with no request in flight (reading one answer and sending the next). */
  idleMs: number;
}

/** A pause of at least `gapMs` with no request in flight. */
export interface Gap {
  startMs: number;
  endMs: number;
  /** The APIs answered as it began, and those of the requests that ended it. */
  after: string[];
  before: string[];
}

export interface Timeline {
  /** Process start to the first request the fake read. */
  firstRequestMs: number;
  waves: Wave[];
  gaps: Gap[];
  /** The pause with no request in flight that counts as a gap (shorter ones stay inside a wave). */
  gapMs: number;
  /** The last answer; from there to `exitMs`: evaluation, the report, exit. */
  lastAnswerMs: number;
  exitMs: number;
  requests: number;
  /** The fake's own time per request beyond the added latency (median): part of any reader's floor. */
  serviceMs: number;
}

/** A stretch with at least one request in flight throughout. */
interface Busy {
  requests: TimedRequest[];
  startMs: number;
  endMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * The timeline of one run whose requests (in ms since spawn) are `log`, which exited at `exitMs`, against a fake
 * that added `latencyMs` to every answer. A pause of `gapMs` or more with nothing in flight separates two waves.
 */
export function timelineOf(
  log: readonly TimedRequest[],
  exitMs: number,
  latencyMs: number,
  gapMs = 5,
): Timeline {
  const requests = [...log].sort((a, b) => a.at - b.at || a.endAt - b.endAt);
  const waves: Wave[] = [];
  const gaps: Gap[] = [];
  let group: Busy[] = [];
  for (const busy of busyStretches(requests)) {
    const last = group.at(-1);
    if (last && busy.startMs - last.endMs >= gapMs) {
      gaps.push({
        startMs: last.endMs,
        endMs: busy.startMs,
        after: apisWhere(last.requests, (r) => r.endAt === last.endMs),
        before: apisWhere(busy.requests, (r) => r.at === busy.startMs),
      });
      waves.push(waveOf(group));
      group = [];
    }
    group.push(busy);
  }
  if (group.length) waves.push(waveOf(group));
  return {
    firstRequestMs: requests[0]?.at ?? Number.NaN,
    waves,
    gaps,
    gapMs,
    lastAnswerMs: waves.at(-1)?.endMs ?? Number.NaN,
    exitMs,
    requests: requests.length,
    serviceMs: median(requests.map((r) => Math.max(0, r.endAt - r.at - latencyMs))),
  };
}

/** The log (sorted by start) cut where no request is in flight; a request leaving the ms the last answer came back
 *  joins it (the log's clock counts whole ms). */
function busyStretches(requests: TimedRequest[]): Busy[] {
  const stretches: Busy[] = [];
  for (const r of requests) {
    const last = stretches.at(-1);
    if (last && r.at <= last.endMs) {
      last.requests.push(r);
      last.endMs = Math.max(last.endMs, r.endAt);
    } else stretches.push({ requests: [r], startMs: r.at, endMs: r.endAt });
  }
  return stretches;
}

function waveOf(group: Busy[]): Wave {
  const requests = group.flatMap((b) => b.requests);
  const startMs = group[0]?.startMs ?? Number.NaN;
  const firstAnswer = Math.min(...requests.map((r) => r.endAt));
  const apis: Record<string, number> = {};
  for (const r of requests) apis[r.api] = (apis[r.api] ?? 0) + 1;
  const chain = sequentialChain(requests);
  let idleMs = 0;
  for (let i = 1; i < group.length; i++) idleMs += (group[i]?.startMs ?? 0) - (group[i - 1]?.endMs ?? 0);
  return {
    startMs,
    endMs: group.at(-1)?.endMs ?? Number.NaN,
    requests: requests.length,
    openedBy: apisWhere(requests, (r) => r.at < firstAnswer || r.at === startMs),
    apis,
    roundTrips: chain.length,
    floorMs: chain.reduce((sum, r) => sum + (r.endAt - r.at), 0),
    idleMs,
  };
}

/** The longest run of requests each leaving after the one before was answered: earliest answer first, greedily. */
function sequentialChain(requests: TimedRequest[]): TimedRequest[] {
  const chain: TimedRequest[] = [];
  for (const r of [...requests].sort((a, b) => a.endAt - b.endAt)) {
    const last = chain.at(-1);
    if (!last || r.at >= last.endAt) chain.push(r);
  }
  return chain;
}

function apisWhere(requests: TimedRequest[], keep: (r: TimedRequest) => boolean): string[] {
  return [...new Set(requests.filter(keep).map((r) => r.api))];
}
