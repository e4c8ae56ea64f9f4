import { afterAll, vi } from "vitest";

/**
 * Test files share a worker (vitest.config.ts: isolate off), so each file hands back what it may have changed:
 * process.env (many point it at their own fake AWS; none may see another's endpoint, Region or credentials) and
 * vitest's fake timers.
 */
const started = { ...process.env };

afterAll(() => {
  vi.useRealTimers();
  // Some files replace process.env itself; put the values back into whichever object the SDK reads now.
  for (const key of Object.keys(process.env)) if (!(key in started)) delete process.env[key];
  Object.assign(process.env, started);
});
