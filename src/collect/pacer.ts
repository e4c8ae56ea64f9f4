import type {
  FinalizeHandler,
  FinalizeHandlerArguments,
  HandlerExecutionContext,
  MiddlewareStack,
} from "@smithy/types";

/** The time a pacer reads and waits on; tests inject a virtual clock. */
export interface PacerClock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: PacerClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PacerOptions {
  /** Requests allowed in any rolling window. */
  limit: number;
  windowMs: number;
  clock?: PacerClock;
}

/** Ends a request's hold on its slot; call it once the answer (or the error) has arrived. */
export type ReleaseSlot = () => void;

interface Slot {
  /** When the slot may be reused: the window after the answer arrived; unset while the request is in flight. */
  freeAt?: number;
}

interface Lane {
  slots: Slot[];
  /** Acquisitions queue here, so waiters are served in arrival order. */
  queue: Promise<unknown>;
  /** Resolved (and replaced) whenever an in-flight request finishes. */
  released: Promise<void>;
  signalRelease: () => void;
}

/**
 * At most `limit` requests in any rolling window of `windowMs`, per key (one key per account and Region). A request
 * holds its slot from the moment it is let through until `windowMs` after its answer arrived: the service saw it
 * somewhere in between, so however slow the network, the service never sees more than `limit` in one window.
 */
export class RequestPacer {
  private readonly lanes = new Map<string, Lane>();
  private readonly clock: PacerClock;

  constructor(private readonly options: PacerOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1)
      throw new RangeError("pacer limit must be a positive integer");
    this.clock = options.clock ?? systemClock;
  }

  /** Waits for a free slot under `key`; the caller must release it when the request is answered. */
  acquire(key: string): Promise<ReleaseSlot> {
    const lane = this.lane(key);
    const turn = lane.queue.then(() => this.claim(lane));
    lane.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Runs one request inside a slot. */
  async run<T>(key: string, request: () => Promise<T>): Promise<T> {
    const release = await this.acquire(key);
    try {
      return await request();
    } finally {
      release();
    }
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      let signalRelease = () => {};
      const released = new Promise<void>((resolve) => {
        signalRelease = resolve;
      });
      lane = { slots: [], queue: Promise.resolve(), released, signalRelease };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private async claim(lane: Lane): Promise<ReleaseSlot> {
    for (;;) {
      const now = this.clock.now();
      lane.slots = lane.slots.filter((slot) => slot.freeAt === undefined || slot.freeAt > now);
      if (lane.slots.length < this.options.limit) {
        const slot: Slot = {};
        lane.slots.push(slot);
        return () => {
          if (slot.freeAt !== undefined) return;
          slot.freeAt = this.clock.now() + this.options.windowMs;
          this.wake(lane);
        };
      }
      // Later releases free later, so the earliest known free time is the next chance; with every slot still in
      // flight, nothing is known until one answers.
      const known = lane.slots.flatMap((slot) => (slot.freeAt === undefined ? [] : [slot.freeAt]));
      if (known.length) await this.clock.sleep(Math.min(...known) - now);
      else await lane.released;
    }
  }

  private wake(lane: Lane): void {
    const signal = lane.signalRelease;
    lane.released = new Promise<void>((resolve) => {
      lane.signalRelease = resolve;
    });
    signal();
  }
}

const PACER_MIDDLEWARE = "ecsPreflightPacer";

/**
 * Sends every `commandName` call of an SDK client through the pacer, paginator pages included. The middleware sits
 * inside the SDK's retry loop, just before signing, so each attempt (retries too) takes a slot: a wrapper around
 * `send` would let the SDK's own retries of a throttled call through unpaced. Installing again replaces it.
 */
export function paceCommand<Input extends object, Output extends object>(
  client: { middlewareStack: MiddlewareStack<Input, Output> },
  commandName: string,
  pacer: RequestPacer,
  key: string,
): void {
  const middleware =
    (next: FinalizeHandler<Input, Output>, context: HandlerExecutionContext) =>
    (args: FinalizeHandlerArguments<Input>) =>
      context.commandName === commandName ? pacer.run(key, () => next(args)) : next(args);
  client.middlewareStack.addRelativeTo(middleware, {
    name: PACER_MIDDLEWARE,
    relation: "before",
    toMiddleware: "httpSigningMiddleware",
    override: true,
  });
}
