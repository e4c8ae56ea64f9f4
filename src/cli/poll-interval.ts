import { InputError } from "../errors.ts";

/** The SDK's TasksStopped waiter polls every 6 s; tests set ECS_PREFLIGHT_POLL_MS to a few milliseconds. */
export const DEFAULT_POLL_MS = 6_000;

/** The delay between two ECS reads of `stop --wait` and `wait`: ECS_PREFLIGHT_POLL_MS, else 6 s. */
export function pollInterval(env: NodeJS.ProcessEnv): number {
  const raw = env.ECS_PREFLIGHT_POLL_MS;
  if (raw === undefined || raw === "") return DEFAULT_POLL_MS;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 1)
    throw new InputError(`ECS_PREFLIGHT_POLL_MS: expected a whole number of milliseconds, got "${raw}"`);
  return ms;
}
