import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import type { FactError, Facts } from "../../src/facts/types.ts";
import { callOutcomes, commonCause } from "../../src/pipeline/common-cause.ts";
import { evaluate } from "../../src/pipeline/evaluate.ts";
import { readSnapshot } from "../../src/snapshot/index.ts";

/** The demo account's facts with every fact (the outermost, where facts nest) turned into the error `code`. */
const demo = await readSnapshot("fixtures/demo/account.json");

function failEverything(facts: Facts, code: (api: string) => string, message = "it failed"): Facts {
  let n = 0;
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (!value || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    if (typeof record.ok === "boolean" && ("value" in record || "error" in record)) {
      const api = `api:${n++}`;
      return { ok: false, error: { api, code: code(api), message } };
    }
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, visit(v)]));
  };
  return visit(facts) as Facts;
}

describe("commonCause", () => {
  it.each([
    ["CredentialsProviderError", "Could not load credentials from any providers", "no-credentials"],
    [
      "CredentialsProviderError",
      "The SSO session associated with this profile has expired",
      "expired-credentials",
    ],
    ["ExpiredToken", "The security token included in the request is expired", "expired-credentials"],
    [
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
      "rejected-credentials",
    ],
    ["ENOTFOUND", "getaddrinfo ENOTFOUND iam.amazonaws.com", "unreachable-endpoint"],
    ["AccessDenied", "User: x is not authorized", "access-denied"],
  ])("%s (%s) on every call is %s", (code, message, kind) => {
    const facts = failEverything(demo, () => code, message);
    const cause = commonCause(facts);
    expect(cause?.kind).toBe(kind);
    expect(cause?.code).toBe(code);
    expect(cause?.message).toBe(message);
    expect(cause?.fix.length).toBeGreaterThan(20);
    // The report carries it; the findings stay unknown, and the gate is undecided.
    const report = evaluate(facts);
    expect(report.commonCause).toEqual(cause);
    expect(report.exitCode).toBe(3);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(reportSchema);
    expect(validate(JSON.parse(JSON.stringify(report))), JSON.stringify(validate.errors)).toBe(true);
  });

  it("is one kind across services' codes for the same reason (IAM ExpiredToken, ECS ExpiredTokenException)", () => {
    const facts = failEverything(demo, (api) =>
      Number(api.slice(4)) % 2 ? "ExpiredToken" : "ExpiredTokenException",
    );
    expect(commonCause(facts)?.kind).toBe("expired-credentials");
  });

  it("is absent when the reasons differ, when a reason is not one of these, and when any call succeeded", () => {
    expect(
      commonCause(failEverything(demo, (api) => (api === "api:0" ? "ECONNREFUSED" : "ExpiredToken"))),
    ).toBeUndefined();
    expect(commonCause(failEverything(demo, () => "Throttling"))).toBeUndefined();
    expect(commonCause(demo)).toBeUndefined();
    const oneLeft = failEverything(demo, () => "ExpiredToken");
    expect(commonCause({ ...oneLeft, caller: demo.caller })).toBeUndefined();
  });
});

/** The walk as it was before it became one pass with an early stop: the reference the fast walk must agree with. */
function referenceOutcomes(value: unknown, out = { ok: 0, errors: [] as FactError[] }) {
  const holdsFacts = (v: unknown): boolean => {
    if (Array.isArray(v)) return v.some(holdsFacts);
    if (!v || typeof v !== "object") return false;
    const r = v as Record<string, unknown>;
    if (typeof r.ok === "boolean" && ("value" in r || "error" in r)) return true;
    return Object.values(r).some(holdsFacts);
  };
  if (Array.isArray(value)) {
    for (const item of value) referenceOutcomes(item, out);
  } else if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record.ok === true && "value" in record && !holdsFacts(record.value)) out.ok++;
    if (record.ok === false && record.error && typeof record.error === "object")
      out.errors.push(record.error as FactError);
    for (const child of Object.values(record)) referenceOutcomes(child, out);
  }
  return out;
}

/** A small deterministic generator (mulberry32), so a failing tree can be rebuilt from its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tree of plain values, failed facts, succeeded facts and facts that hold other facts (lists the collector made). */
function randomTree(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth === 0 || pick < 0.15) return next() < 0.5 ? `s${Math.floor(next() * 9)}` : Math.floor(next() * 9);
  if (pick < 0.3) return Array.from({ length: Math.floor(next() * 4) }, () => randomTree(next, depth - 1));
  if (pick < 0.5)
    return {
      ok: false,
      error: { api: `api:${Math.floor(next() * 99)}`, code: "ExpiredToken", message: "m" },
    };
  if (pick < 0.55) return { ok: true, value: `leaf${Math.floor(next() * 9)}` };
  if (pick < 0.7) return { ok: true, value: randomTree(next, depth - 1) };
  // A fact with another member beside its value: only what its value holds makes it a list of facts.
  if (pick < 0.75) return { ok: true, value: randomTree(next, depth - 1), also: randomTree(next, depth - 1) };
  const record: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 4); i > 0; i--) record[`k${i}`] = randomTree(next, depth - 1);
  return record;
}

describe("callOutcomes (one pass, stopping at the first call that succeeded)", () => {
  const agrees = (tree: unknown) => {
    const reference = referenceOutcomes(tree);
    const fast = callOutcomes(tree);
    expect(fast.succeeded).toBe(reference.ok > 0);
    // With no success, every error, the same objects in the same order.
    if (reference.ok === 0) {
      expect(fast.errors.length).toBe(reference.errors.length);
      for (const [i, e] of fast.errors.entries()) expect(e).toBe(reference.errors[i]);
    }
  };

  it("agrees with the two-pass walk on the demo account, failed everywhere, and failed but for one call", () => {
    agrees(demo);
    const failed = failEverything(demo, () => "ExpiredToken");
    agrees(failed);
    expect(callOutcomes(failed).errors.length).toBeGreaterThan(5);
    agrees({ ...failed, caller: demo.caller });
    expect(callOutcomes({ ...failed, caller: demo.caller }).succeeded).toBe(true);
  });

  it("counts a fact holding only facts as no success, and a fact with an empty or plain value as one", () => {
    const failedList = { ok: true, value: [{ ok: false, error: { api: "a", code: "X", message: "m" } }] };
    expect(callOutcomes(failedList)).toEqual({ succeeded: false, errors: [failedList.value[0]?.error] });
    expect(callOutcomes({ ok: true, value: [] }).succeeded).toBe(true);
    expect(callOutcomes({ ok: true, value: undefined }).succeeded).toBe(true);
    expect(callOutcomes({ ok: true, value: { nested: { ok: false, error: {} } } }).succeeded).toBe(false);
  });

  it("agrees with the two-pass walk on 2,000 random trees", () => {
    let successes = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const tree = randomTree(random(seed), 6);
      agrees(tree);
      if (referenceOutcomes(tree).ok > 0) successes++;
    }
    // Both outcomes are exercised.
    expect(successes).toBeGreaterThan(200);
    expect(successes).toBeLessThan(1800);
  });
});
