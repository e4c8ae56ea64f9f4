import { describe, expect, it } from "vitest";
import { factErrors, summariseFactErrors } from "../../src/facts/errors.ts";
import type { FactError } from "../../src/facts/types.ts";
import { readSnapshot } from "../../src/snapshot/index.ts";

/** The walk as it was, one call per value: the reference the faster walk must agree with, error for error. */
function reference(value: unknown, out: FactError[] = []): FactError[] {
  if (Array.isArray(value)) {
    for (const item of value) reference(item, out);
  } else if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record.ok === false && record.error && typeof record.error === "object")
      out.push(record.error as FactError);
    for (const child of Object.values(record)) reference(child, out);
  }
  return out;
}

const error = (api: string, code = "AccessDenied"): FactError => ({ api, code, message: `${api} failed` });

describe("factErrors", () => {
  it("finds every error in document order, nested in lists and in other facts' values", () => {
    const a = error("iam:GetRole");
    const b = error("ecs:ListTasks", "Throttling");
    const c = error("ec2:DescribeVolumes");
    const tree = {
      caller: { ok: true, value: { account: "1" } },
      roles: [{ role: { ok: false, error: a } }, "x", 3, null],
      ecs: {
        clusters: { ok: true, value: [{ tasks: { ok: false, error: b } }, [[{ ok: false, error: c }]]] },
      },
      // Not a fact error: ok is not false, or the error is not an object.
      odd: [{ ok: "false", error: error("no") }, { ok: false, error: "text" }, { ok: false }],
    };
    expect(factErrors(tree)).toEqual([a, b, c]);
    expect(factErrors(tree)).toEqual(reference(tree));
    expect(factErrors("text")).toEqual([]);
    expect(factErrors(null)).toEqual([]);
    const out = [a];
    expect(factErrors({ ok: false, error: b }, out)).toBe(out);
    expect(out).toEqual([a, b]);
  });

  it("agrees with the one-call-per-value walk on the demo account, and on it with every fact failed", async () => {
    const demo = await readSnapshot("fixtures/demo/account.json");
    expect(factErrors(demo)).toEqual(reference(demo));
    let n = 0;
    // Every other leaf fact failed, so errors sit at every depth the demo's facts do.
    const failed = JSON.parse(JSON.stringify(demo), (_key, value) =>
      value && typeof value === "object" && value.ok === true && n++ % 2 === 0
        ? { ok: false, error: error(`api:${n}`) }
        : value,
    );
    const errors = factErrors(failed);
    expect(errors.length).toBeGreaterThan(factErrors(demo).length);
    expect(errors.map((e) => e.api)).toEqual(reference(failed).map((e) => e.api));
    expect(summariseFactErrors(errors).length).toBeGreaterThan(0);
  });
});
