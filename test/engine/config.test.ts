import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig } from "../../src/engine/config.ts";
import type { Rule } from "../../src/engine/rule.ts";
import { runRules } from "../../src/engine/run.ts";
import { InputError } from "../../src/errors.ts";
import { facts } from "../support/facts.ts";

const IDS = ["role-exists", "managed-policy"];

describe("config", () => {
  it("accepts a full, valid config", () => {
    const c = parseConfig(
      {
        failOn: "warn",
        stuckAfter: "30m",
        rules: { "managed-policy": "off" },
        suppressions: [
          {
            rule: "role-exists",
            resource: "arn:aws:iam::*:role/legacy-*",
            reason: "decommissioned",
            expires: "2027-01-31",
          },
        ],
      },
      "c.json",
      IDS,
    );
    expect(c.failOn).toBe("warn");
    expect(c.rules["managed-policy"]).toBe("off");
    expect(c.suppressions).toHaveLength(1);
  });

  it.each([
    [[], "c.json: (root): expected a JSON object"],
    [{ failOn: "never" }, 'c.json: failOn: expected "fail" or "warn", got "never"'],
    [
      { rules: { "no-such-rule": "off" } },
      "c.json: rules.no-such-rule: expected a rule id (role-exists, managed-policy)",
    ],
    [
      { rules: { "role-exists": "error" } },
      'c.json: rules.role-exists: expected "off", "warn" or "fail", got "error"',
    ],
    [
      { suppressions: [{ rule: "role-exists", resource: "*" }] },
      "c.json: suppressions[0].reason: expected a non-empty reason",
    ],
    [
      { suppressions: [{ rule: "role-exists", resource: "*", reason: "x", until: "2027" }] },
      "c.json: suppressions[0].until: expected one of rule, resource, reason, expires",
    ],
    [
      { suppressions: [{ rule: "role-exists", resource: "*", reason: "x", expires: "soon" }] },
      "c.json: suppressions[0].expires: expected an ISO date",
    ],
    [{ colour: true }, "c.json: colour: expected one of failOn"],
  ])("rejects %j naming the path", (raw, message) => {
    expect(() => parseConfig(raw, "c.json", IDS)).toThrow(InputError);
    expect(() => parseConfig(raw, "c.json", IDS)).toThrow(message);
  });

  it("refuses to suppress a required rule's findings", () => {
    expect(() =>
      parseConfig(
        { suppressions: [{ rule: "role-exists", resource: "*", reason: "noise" }] },
        "c.json",
        IDS,
        ["role-exists"],
      ),
    ).toThrow("c.json: suppressions[0].rule: expected a rule that may be suppressed");
  });

  it("refuses to turn off or cap a required rule", () => {
    for (const level of ["off", "warn"]) {
      expect(() => parseConfig({ rules: { "role-exists": level } }, "c.json", IDS, ["role-exists"])).toThrow(
        'c.json: rules.role-exists: expected "fail" only: role-exists reports what could not be read',
      );
    }
    expect(
      parseConfig({ rules: { "role-exists": "fail" } }, "c.json", IDS, ["role-exists"]).rules["role-exists"],
    ).toBe("fail");
  });

  it("names the file when it is not JSON", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "bad.json");
    writeFileSync(file, "{ failOn: warn }");
    await expect(loadConfig(file, IDS)).rejects.toThrow(/bad\.json: not valid JSON/);
    await expect(loadConfig(join(dir, "missing.json"), IDS)).rejects.toThrow(
      /missing\.json: cannot read config file \(ENOENT\)/,
    );
  });
});

describe("levels and suppressions", () => {
  const failing: Rule = {
    id: "role-exists",
    title: "t",
    severity: "fail",
    concern: "stopping-tasks",
    needs: [],
    docs: { summary: "s", rationale: "r", remediation: "x" },
    snippets: {},
    check: () => [
      { status: "fail", resource: "arn:aws:iam::1:role/legacy-a", message: "m", remediation: "x" },
      { status: "fail", resource: "arn:aws:iam::1:role/prod", message: "m", remediation: "x" },
      { status: "pass", resource: "arn:aws:iam::1:role/legacy-b", message: "m" },
    ],
  };
  const options = { now: new Date("2026-11-27T00:00:00Z"), stuckAfterMs: 1 };
  const base = { rules: {}, suppressions: [] };

  it("caps a rule at warn", () => {
    const out = runRules(facts([]), [failing], options, { ...base, rules: { "role-exists": "warn" } });
    expect(out.map((f) => f.status)).toEqual(["warn", "warn", "pass"]);
  });

  it("turns a rule off", () => {
    expect(runRules(facts([]), [failing], options, { ...base, rules: { "role-exists": "off" } })).toEqual([]);
  });

  it("expires suppressions against the wall clock, not the facts' age (an old snapshot replayed today)", () => {
    const suppressions = [
      { rule: "role-exists", resource: "*", reason: "until February", expires: "2026-02-01" },
    ];
    const old = { now: new Date("2026-01-01T00:00:00Z"), stuckAfterMs: 1 };
    const today = new Date("2026-11-27T00:00:00Z");
    const out = runRules(facts([]), [failing], old, { ...base, suppressions }, today);
    expect(out.some((f) => f.suppressed)).toBe(false);
  });

  it("never suppresses a rule's own crash", () => {
    const crashing: Rule = {
      ...failing,
      check: () => {
        throw new Error("bug");
      },
    };
    const suppressions = [{ rule: "role-exists", resource: "*", reason: "hide everything" }];
    const out = runRules(facts([]), [crashing], options, { ...base, suppressions });
    expect(out[0]?.status).toBe("unknown");
    expect(out[0]?.suppressed).toBeUndefined();
  });

  it("suppresses matching non-pass findings until they expire", () => {
    const suppressions = [
      {
        rule: "role-exists",
        resource: "arn:aws:iam::*:role/legacy-*",
        reason: "being removed",
        expires: "2027-01-01",
      },
    ];
    const out = runRules(facts([]), [failing], options, { ...base, suppressions }, options.now);
    expect(out.map((f) => Boolean(f.suppressed))).toEqual([true, false, false]);
    const later = runRules(
      facts([]),
      [failing],
      options,
      { ...base, suppressions },
      new Date("2027-02-01T00:00:00Z"),
    );
    expect(later.some((f) => f.suppressed)).toBe(false);
  });
});

describe("a required rule", () => {
  it("ignores levels and suppressions however the config got them", () => {
    const required: Rule = {
      id: "role-exists",
      title: "t",
      severity: "fail",
      required: true,
      concern: "stopping-tasks",
      needs: [],
      docs: { summary: "s", rationale: "r", remediation: "x" },
      snippets: {},
      check: () => [
        { status: "unknown", resource: "arn:aws:ecs:us-east-1:1:cluster/c", message: "could not list" },
      ],
    };
    const out = runRules(
      facts([]),
      [required],
      { now: new Date(), stuckAfterMs: 1 },
      {
        rules: { "role-exists": "off" },
        suppressions: [{ rule: "role-exists", resource: "*", reason: "hide it" }],
      },
    );
    expect(out).toEqual([expect.objectContaining({ rule: "role-exists", status: "unknown" })]);
    expect(out[0]?.suppressed).toBeUndefined();
  });
});

describe("a rule that throws", () => {
  it("is unknown for that rule alone; the other rules still report", () => {
    const broken: Rule = {
      id: "managed-policy",
      title: "t",
      severity: "warn",
      concern: "stopping-tasks",
      needs: [],
      docs: { summary: "s", rationale: "r", remediation: "x" },
      snippets: {},
      check: () => {
        throw new TypeError("cannot read properties of undefined");
      },
    };
    const fine: Rule = {
      ...broken,
      id: "role-exists",
      check: () => [{ status: "pass", resource: "r", message: "ok" }],
    };
    const out = runRules(
      facts([]),
      [broken, fine],
      { now: new Date(), stuckAfterMs: 1 },
      { rules: {}, suppressions: [] },
    );
    expect(out.map((f) => [f.rule, f.status])).toEqual([
      ["managed-policy", "unknown"],
      ["role-exists", "pass"],
    ]);
    expect(out[0]?.message).toMatch(/a bug in ecs-preflight.*cannot read properties of undefined/);
  });
});
