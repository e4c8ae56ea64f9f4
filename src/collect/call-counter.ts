import type { AwsCalls } from "../facts/types.ts";

/**
 * Counts one run's AWS calls, the SDK's retries and the throttled answers, fed by the retry strategy every client of
 * the run shares (retry.ts): the report's `aws` and the EMF metrics AwsCalls, AwsRetries, AwsThrottled.
 */
export class CallCounter {
  calls = 0;
  retries = 0;
  throttled = 0;

  totals(): AwsCalls {
    return { calls: this.calls, retries: this.retries, throttled: this.throttled };
  }
}
