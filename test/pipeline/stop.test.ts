import { describe, expect, it } from "vitest";
import { EXIT } from "../../src/engine/verdict.ts";
import { type StopEvent, type StopRequest, stopAfterCheck } from "../../src/pipeline/stop.ts";
import type { Report } from "../../src/report/types.ts";

/** stop decides before any write: the paths that end without StopTask, told to the CLI in order. */

const report = (exitCode: number) => ({ exitCode, verdict: exitCode ? "fail" : "pass" }) as Report;

function request(checks: Report[], extra: Partial<StopRequest> = {}) {
  const events: StopEvent["kind"][] = [];
  let awsAsked = false;
  const req: StopRequest = {
    cluster: "prod",
    tasks: ["t1"],
    reason: "r",
    wait: false,
    stuckAfterMs: 1,
    pollMs: 1,
    check: async () => checks.shift() ?? report(0),
    aws: async () => {
      awsAsked = true;
      throw new Error("no AWS call on this path");
    },
    on: (e) => {
      events.push(e.kind);
    },
    ...extra,
  };
  return { req, events, awsAsked: () => awsAsked };
}

describe("stopAfterCheck", () => {
  it("a check that does not pass: its exit code, and no StopTask", async () => {
    const { req, events, awsAsked } = request([report(EXIT.undecided)]);
    expect(await stopAfterCheck(req)).toBe(EXIT.undecided);
    expect(events).toEqual(["checked", "not-safe"]);
    expect(awsAsked()).toBe(false);
  });

  it("declined at the prompt: exit 1, no StopTask", async () => {
    const { req, events, awsAsked } = request([report(0)], { confirm: async () => false });
    expect(await stopAfterCheck(req)).toBe(EXIT.unsafe);
    expect(events).toEqual(["checked", "declined"]);
    expect(awsAsked()).toBe(false);
  });

  it("confirmed, but the check run again no longer passes: its exit code, no StopTask", async () => {
    const { req, events, awsAsked } = request([report(0), report(EXIT.unsafe)], {
      confirm: async () => true,
    });
    expect(await stopAfterCheck(req)).toBe(EXIT.unsafe);
    expect(events).toEqual(["checked", "no-longer-safe"]);
    expect(awsAsked()).toBe(false);
  });

  it("--timeout spent by the check: exit 3, no StopTask", async () => {
    const slow: StopRequest["check"] = async () => {
      await new Promise((r) => setTimeout(r, 20));
      return report(0);
    };
    const { req, events, awsAsked } = request([], { check: slow, timeoutMs: 5 });
    expect(await stopAfterCheck(req)).toBe(EXIT.undecided);
    expect(events).toEqual(["checked", "timeout-spent"]);
    expect(awsAsked()).toBe(false);
  });

  it("a passing check with --yes asks for the AWS settings with what is left of --timeout", async () => {
    let left: number | undefined;
    const { req } = request([report(0)], {
      timeoutMs: 60_000,
      aws: async (ms) => {
        left = ms;
        throw new Error("stop here");
      },
    });
    await expect(stopAfterCheck(req)).rejects.toThrow("stop here");
    expect(left).toBeGreaterThan(50_000);
    expect(left).toBeLessThanOrEqual(60_000);
  });
});
