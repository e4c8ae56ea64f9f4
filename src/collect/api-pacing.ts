import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  MiddlewareStack,
} from "@smithy/types";
import { type PacerClock, type ReleaseSlot, systemClock } from "./pacer.ts";
import { runTimeoutError } from "./run-timeout.ts";

/**
 * Client-side pacing under AWS's published rate limits, per API family and account-Region, shared by the whole
 * process: every call waits for a token before it is sent, so AWS never has to throttle the run.
 */

/** One API family: AWS's token bucket, and how many calls of the family this process keeps in flight. */
export interface FamilyLimit {
  /** Tokens a second. */
  rate: number;
  burst: number;
  inFlight: number;
}

export type PacedService = "ecs" | "iam" | "ec2";

/** Which family a call counts against; undefined: not paced. */
export function familyOf(service: PacedService, action: string): string | undefined {
  if (service === "ecs") {
    if (action === "ListClusters" || action === "DescribeClusters") return "ecs:cluster-read";
    if (action === "ListTasks" || action === "DescribeTasks" || action === "ListContainerInstances")
      return "ecs:cluster-resource-read";
    if (action === "ListServices" || action === "DescribeServices") return "ecs:service-read";
    return undefined;
  }
  if (service === "ec2") return action.startsWith("Describe") ? "ec2:describe" : undefined;
  return "iam";
}

/**
 * ECS: aws-facts §2.4. EC2: non-mutating actions, a bucket of 100 refilled at 20/s (EC2 API request throttling).
 * IAM publishes no quota (aws-facts §5.5): 20/s, the rate IAM's own guidance and the benchmark's fake assume.
 * CloudTrail LookupEvents (2/s) has its own injectable pacer (cloudtrail.ts), one per account-Region target.
 */
export const AWS_API_LIMITS: Record<string, FamilyLimit> = {
  "ecs:cluster-read": { rate: 20, burst: 50, inFlight: 16 },
  // DescribeTasks answers are the largest (100 tasks each): 4 in flight already outrun 20/s below 200 ms a call.
  "ecs:cluster-resource-read": { rate: 20, burst: 100, inFlight: 4 },
  "ecs:service-read": { rate: 20, burst: 100, inFlight: 16 },
  "ec2:describe": { rate: 20, burst: 100, inFlight: 4 },
  iam: { rate: 20, burst: 20, inFlight: 8 },
};

interface Lane {
  /** The bucket as AWS may see it, at `at`: calls are charged when their answer arrives, the latest AWS saw them. */
  level: number;
  at: number;
  /** Calls sent and not yet answered: each holds a token in reserve, since AWS may count it at any moment. */
  inFlight: number;
  queue: Promise<unknown>;
  released: Promise<void>;
  signalRelease: () => void;
}

/**
 * A token bucket kept on the safe side of AWS's: a call is let through only when the bucket, charged for every
 * answered call at its answer and for every call in flight now, still has a token. However late or early AWS
 * counted each call between sending and answering, its bucket never ran dry. Waiters are served in arrival order.
 */
export class TokenBucketPacer {
  private readonly lanes = new Map<string, Lane>();
  private readonly clock: PacerClock;

  constructor(
    private readonly limit: FamilyLimit,
    clock?: PacerClock,
  ) {
    if (!(limit.rate > 0) || !(limit.burst >= 1) || !(limit.inFlight >= 1))
      throw new RangeError("a token bucket needs a positive rate, a burst and calls in flight of at least 1");
    this.clock = clock ?? systemClock;
  }

  /** Waits for a token under `key`; release it once the answer (or the error) has arrived. */
  acquire(key: string, signal?: AbortSignal): Promise<ReleaseSlot> {
    const lane = this.lane(key);
    const turn = lane.queue.then(() => this.claim(lane, signal));
    lane.queue = turn.catch(() => undefined);
    return turn;
  }

  async run<T>(key: string, request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(key, signal);
    try {
      return await request();
    } finally {
      release();
    }
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        level: this.limit.burst,
        at: this.clock.now(),
        inFlight: 0,
        queue: Promise.resolve(),
        released: Promise.resolve(),
        signalRelease: () => {},
      };
      this.rearm(lane);
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private refill(lane: Lane): void {
    const now = this.clock.now();
    lane.level = Math.min(this.limit.burst, lane.level + ((now - lane.at) / 1000) * this.limit.rate);
    lane.at = now;
  }

  private async claim(lane: Lane, signal: AbortSignal | undefined): Promise<ReleaseSlot> {
    for (;;) {
      if (signal?.aborted) throw runTimeoutError(signal);
      this.refill(lane);
      const free = lane.inFlight < this.limit.inFlight && lane.inFlight + 1 <= this.limit.burst;
      if (free && lane.level - lane.inFlight >= 1) {
        lane.inFlight++;
        let done = false;
        return () => {
          if (done) return;
          done = true;
          this.refill(lane);
          lane.level -= 1;
          lane.inFlight--;
          this.wake(lane);
        };
      }
      // A release changes level − inFlight by nothing, so the refill time is exact; with no room, wait for an answer.
      const wait = free
        ? this.clock.sleep(Math.ceil(((lane.inFlight + 1 - lane.level) / this.limit.rate) * 1000))
        : lane.released;
      await (signal ? Promise.race([wait, aborted(signal)]) : wait);
    }
  }

  private rearm(lane: Lane): void {
    lane.released = new Promise<void>((resolve) => {
      lane.signalRelease = resolve;
    });
  }

  private wake(lane: Lane): void {
    const signal = lane.signalRelease;
    this.rearm(lane);
    signal();
  }
}

const abortions = new WeakMap<AbortSignal, Promise<void>>();

/** Settles when the run's deadline passes; one listener per signal, however many calls wait on it. */
function aborted(signal: AbortSignal): Promise<void> {
  let done = abortions.get(signal);
  if (!done) {
    done = new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    abortions.set(signal, done);
  }
  return done;
}

/** The pacers of every family, one bucket per family and key. */
export class ApiPacing {
  private readonly pacers = new Map<string, TokenBucketPacer>();

  constructor(
    private readonly limits: Record<string, FamilyLimit> = AWS_API_LIMITS,
    private readonly clock?: PacerClock,
  ) {}

  pacer(family: string): TokenBucketPacer | undefined {
    let pacer = this.pacers.get(family);
    const limit = this.limits[family];
    if (!pacer && limit) {
      pacer = new TokenBucketPacer(limit, this.clock);
      this.pacers.set(family, pacer);
    }
    return pacer;
  }

  /**
   * Sends every paced call of an SDK client through its family's bucket under `key`. The middleware sits inside the
   * SDK's retry loop, just before signing, so each attempt takes a token and no retry is added or stacked.
   */
  install<Input extends object, Output extends object>(
    client: { middlewareStack: MiddlewareStack<Input, Output> },
    service: PacedService,
    key: string,
    signal?: AbortSignal,
  ): void {
    const middleware =
      (next: FinalizeHandler<Input, Output>, context: HandlerExecutionContext) =>
      (args: FinalizeHandlerArguments<Input>) => {
        const action = (context.commandName ?? "").replace(/Command$/, "");
        const family = familyOf(service, action);
        const pacer = family ? this.pacer(family) : undefined;
        return pacer ? pacer.run(key, () => next(args), signal) : next(args);
      };
    client.middlewareStack.addRelativeTo(middleware, {
      name: "ecsPreflightApiPacing",
      relation: "before",
      toMiddleware: "httpSigningMiddleware",
      override: true,
    });
  }
}

/** IAM is global: its limit is the account's, whatever the Region (`account/region` → `account/iam`). */
export function iamPaceKey(key: string): string {
  return key.replace(/\/[^/]*$/, "/iam");
}

let shared: ApiPacing | undefined;

/** The process's pacing: every client of every run in this process shares its buckets. */
export function processPacing(): ApiPacing {
  shared ??= new ApiPacing();
  return shared;
}
