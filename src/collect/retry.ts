import type { RetryErrorInfo, RetryStrategyV2, RetryToken, StandardRetryToken } from "@smithy/types";
import { AdaptiveRetryStrategy, StandardRetryStrategy } from "@smithy/util-retry";
import type { CallCounter } from "./call-counter.ts";

/**
 * The SDK's own retry strategies, tuned to ride out a throttling storm within the run's deadline: more attempts than
 * the SDK's 3 (Steampipe also uses 9), a short full-jitter back-off, and no wait that would end after --timeout.
 * Measured (bench/RESULTS.md, "Throttling"): with every third request throttled, 9 attempts at 25 ms give the
 * unthrottled verdict in 20 of 20 runs, where 3 attempts gave it in 4; a 100 ms base or adaptive mode was slower.
 */

/** Attempts per call (the first and 8 retries) unless --max-attempts or AWS_MAX_ATTEMPTS says otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 9;
/** The back-off's base: retry n waits random() × min(MAX_RETRY_DELAY_MS, RETRY_BASE_MS × 2^n). */
export const RETRY_BASE_MS = 25;
/** The SDK's own cap on one wait. */
export const MAX_RETRY_DELAY_MS = 20_000;

export type RetryMode = "standard" | "adaptive";

export interface RetryOptions {
  maxAttempts?: number;
  mode?: RetryMode;
  /** Replaces the back-off (tests: zero delay); the retry decisions stay the SDK's. Called with the retry's number, from 1. */
  backoffMs?: (attempt: number) => number;
  /** The run's deadline (epoch ms, from --timeout): a retry whose wait would end after it is not made. */
  deadlineAt?: number;
  /** Counts this run's calls, retries and throttled answers. */
  counter?: CallCounter;
}

/** Full jitter (AWS's "Exponential Backoff and Jitter"): retry n (from 0) waits random() × min(20 s, 25 ms × 2^n). */
export function jitteredDelayMs(retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(MAX_RETRY_DELAY_MS, RETRY_BASE_MS * 2 ** retry));
}

/** Thrown by the back-off when a wait would end after the deadline: the strategy then refuses the retry. */
class PastDeadline extends Error {
  constructor(readonly waitMs: number) {
    super(`a wait of ${waitMs} ms would end after the run's --timeout`);
  }
}

/** The back-off the SDK's StandardRetryStrategy computes each wait with (its own ignores our base and deadline). */
function backoff(options: RetryOptions) {
  const { backoffMs, deadlineAt } = options;
  return {
    computeNextBackoffDelay(retry: number): number {
      const wait = backoffMs ? backoffMs(retry + 1) : jitteredDelayMs(retry);
      if (deadlineAt !== undefined && Date.now() + wait > deadlineAt) throw new PastDeadline(wait);
      return wait;
    },
    // The SDK sets a larger base for throttling errors (1 s): the storm measurements chose one base for both.
    setDelayBase(): void {},
  };
}

/**
 * Wraps the SDK's strategy: counts calls, retries and throttled answers, and turns a refused wait into the call's own
 * error, which keeps its cause and says why it was not retried.
 */
class RunRetryStrategy implements RetryStrategyV2 {
  constructor(
    private readonly inner: RetryStrategyV2,
    private readonly options: RetryOptions,
  ) {}

  acquireInitialRetryToken(scope: string): Promise<RetryToken> {
    if (this.options.counter) this.options.counter.calls += 1;
    return this.inner.acquireInitialRetryToken(scope);
  }

  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const { counter, deadlineAt } = this.options;
    if (counter && info.errorType === "THROTTLING") counter.throttled += 1;
    try {
      // A Retry-After the service sent lengthens the SDK's wait: refuse it here when it ends after the deadline.
      const hinted = info.retryAfterHint?.getTime();
      if (deadlineAt !== undefined && hinted !== undefined && hinted > deadlineAt)
        throw new PastDeadline(Math.max(0, hinted - Date.now()));
      const next = await this.inner.refreshRetryTokenForRetry(token as StandardRetryToken, info);
      if (counter) counter.retries += 1;
      return next;
    } catch (err) {
      if (err instanceof PastDeadline && info.error instanceof Error)
        info.error.message = `${info.error.message} (not retried: ${err.message})`;
      throw err;
    }
  }

  recordSuccess(token: RetryToken): void {
    this.inner.recordSuccess(token as StandardRetryToken);
  }
}

/**
 * A new strategy for one client: its retry capacity is the client's own, as the SDK's default is; the counter and
 * the deadline are the run's. Adaptive mode (AWS_RETRY_MODE=adaptive) adds the SDK's client-side rate limiter.
 */
export function retryStrategy(options: RetryOptions = {}): RetryStrategyV2 {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const settings = { maxAttempts, backoff: backoff(options) };
  const inner =
    options.mode === "adaptive"
      ? new AdaptiveRetryStrategy(maxAttempts, settings)
      : new StandardRetryStrategy(settings);
  return new RunRetryStrategy(inner, options);
}
