import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import reportSchema from "../../schema/report.schema.json" with { type: "json" };
import type { Facts } from "../../src/facts/types.ts";
import { commonCause } from "../../src/pipeline/common-cause.ts";
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
