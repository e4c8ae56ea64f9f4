import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { runCli } from "../support/cli.ts";
import { HEALTHY_PAGE_SIZE, healthyAccount } from "../support/healthy-account.ts";

// ICU's collation loads at the first localeCompare or Intl.Collator compare: ≈6 ms of CPU on every run, on the critical
// path of a live check. The tool's keys are ARNs, names and Regions, sorted by code unit (src/order.ts).

let fake: FakeAws;
beforeAll(async () => {
  fake = await startFakeAws(healthyAccount(), { pageSize: HEALTHY_PAGE_SIZE });
});
afterAll(() => fake.close());
afterEach(() => vi.restoreAllMocks());

function spyOnCollation() {
  return [
    vi.spyOn(String.prototype, "localeCompare"),
    vi.spyOn(Intl.Collator.prototype, "compare", "get"),
  ] as const;
}

describe("no locale collation in a run", () => {
  it.each(["text", "json", "markdown", "sarif", "junit"])(
    "a live check of an account every read touches, in %s",
    async (format) => {
      const [localeCompare, collator] = spyOnCollation();
      const run = await runCli(["check", "--format", format], { env: fake.env(), processEnv: fake.env() });
      expect(run.code, run.stderr).toBe(0);
      expect(localeCompare).not.toHaveBeenCalled();
      expect(collator).not.toHaveBeenCalled();
    },
  );

  it("an offline check of the demo account", async () => {
    const [localeCompare, collator] = spyOnCollation();
    const run = await runCli(["check", "--snapshot", "fixtures/demo/account.json"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL/);
    expect(localeCompare).not.toHaveBeenCalled();
    expect(collator).not.toHaveBeenCalled();
  });
});
