import { afterAll } from "vitest";

/**
 * Test files share a worker (vitest.config.ts: isolate off), and many point process.env at their own fake AWS: each
 * file gets back the environment it started with, so none sees another's endpoint, Region or credentials.
 */
const started = { ...process.env };

afterAll(() => {
  // Some files replace process.env itself; put the values back into whichever object the SDK reads now.
  for (const key of Object.keys(process.env)) if (!(key in started)) delete process.env[key];
  Object.assign(process.env, started);
});
