import { ApiPacing, AWS_API_LIMITS } from "../../src/collect/api-pacing.ts";
import type { RunPacers } from "../../src/collect/clients.ts";
import { lookupEventsPacer } from "../../src/collect/cloudtrail.ts";
import { type PacerClock, systemClock } from "../../src/collect/pacer.ts";

/**
 * A clock on which waiting takes no time: each sleep moves the clock forward by the wait instead. Pacers on it let
 * calls through in the order and number they would on the system clock, without the wall time.
 */
export function skippingClock(): PacerClock {
  let skipped = 0;
  return {
    now: () => performance.now() + skipped,
    sleep: async (ms) => {
      skipped += Math.max(0, ms);
    },
  };
}

/** A run's own pacers under AWS's limits, as a new process has them: on the system clock unless told otherwise. */
export function runPacers(clock: PacerClock = systemClock): RunPacers {
  return { api: new ApiPacing(AWS_API_LIMITS, clock), lookupEvents: lookupEventsPacer(clock) };
}
