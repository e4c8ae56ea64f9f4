import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import { collectionFor, EVERY_READ } from "../../src/pipeline/facts-source.ts";
import { levelsForStop } from "../../src/pipeline/stop.ts";

/** What is collected, and what stop turns off, come from the rules' metadata: no rule id is named outside rules/. */

const base = { rules: {}, suppressions: [] };

describe("collectionFor: what the enabled rules need", () => {
  it("every rule on: CloudTrail, the volumes and the deploying principal are read", () => {
    expect(collectionFor(rules, base)).toEqual({
      trail: true,
      volumes: true,
      passRole: true,
      organizations: true,
    });
  });

  it("EVERY_READ, what a check collects before the rules are loaded, is what every rule on needs, no more and no less", () => {
    // A config that turns nothing off (levels, suppressions) changes nothing either.
    const levels = { ...base, rules: { "leaked-volumes": "fail" as const } };
    expect(collectionFor(rules, base)).toEqual(EVERY_READ);
    expect(collectionFor(rules, levels)).toEqual(EVERY_READ);
  });

  it.each([
    ["cloudtrail-errors", { trail: false, volumes: true, passRole: true, organizations: true }],
    ["leaked-volumes", { trail: true, volumes: false, passRole: true, organizations: true }],
    ["pass-role", { trail: true, volumes: true, passRole: false, organizations: true }],
  ] as const)("%s off: what only it needs is not read", (id, expected) => {
    expect(collectionFor(rules, { ...base, rules: { [id]: "off" } })).toEqual(expected);
  });

  it("a rule turned off that shares no need changes nothing; a required rule cannot be turned off for it", () => {
    expect(collectionFor(rules, { ...base, rules: { "managed-policy": "off" } })).toEqual({
      trail: true,
      volumes: true,
      passRole: true,
      organizations: true,
    });
    const requiredTrail = rules.map((r) => (r.needs.includes("trail") ? { ...r, required: true } : r));
    expect(collectionFor(requiredTrail, { ...base, rules: { "cloudtrail-errors": "off" } }).trail).toBe(true);
  });

  it("a library caller's own rule set decides too: without the rules that need them, nothing extra is read", () => {
    const roleOnly = rules.filter((r) => r.id === "role-exists");
    expect(collectionFor(roleOnly, base)).toEqual({
      trail: false,
      volumes: false,
      passRole: false,
      organizations: false,
    });
  });

  it("Organizations are read while any permission rule is on, and not when every one is off", () => {
    const off = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, "off" as const]));
    const permissionRules = [
      "volume-permissions",
      "tls-permissions",
      "managed-instances-permissions",
      "express-permissions",
      "vpc-lattice-permissions",
      "load-balancer-permissions",
    ];
    for (const id of permissionRules) {
      const others = permissionRules.filter((r) => r !== id);
      expect(collectionFor(rules, { ...base, rules: off(...others) }).organizations, id).toBe(true);
    }
    expect(collectionFor(rules, { ...base, rules: off(...permissionRules) }).organizations).toBe(false);
  });
});

describe("levelsForStop", () => {
  it("turns off the rules whose metadata says they judge nothing about stopping the named tasks", () => {
    expect(levelsForStop(rules)).toEqual({ "leaked-volumes": "off", "pass-role": "off" });
  });
});
