import { afterEach, describe, expect, it } from "vitest";
import { benchAccount, type Shape } from "../../bench/shape.ts";
import { rules } from "../../rules/index.ts";
import type { AwsClients } from "../../src/collect/clients.ts";
import { EMPTY_CONFIG } from "../../src/engine/config.ts";
import { check } from "../../src/pipeline/check.ts";
import { collectionFor } from "../../src/pipeline/facts-source.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";
import { fakeClients } from "../support/sdk-clients.ts";

/**
 * The library's check() loads the rules lazily and, when neither `rules` nor a rule turned off asks otherwise,
 * collects EVERY_READ: what a library caller's `rules` or config turn off is still not read, and the report judges
 * with the caller's rules, not every rule. Read from the fake's request log.
 */

const small: Shape = { clusters: 1, services: 2, tasks: 10, stoppedTasks: 2, roles: 1, trailEvents: 2 };
let fake: FakeAws | undefined;
let clients: AwsClients | undefined;
afterEach(async () => {
  clients?.destroy();
  await fake?.close();
  fake = undefined;
  clients = undefined;
});

async function serve() {
  fake = await startFakeAws(benchAccount(small));
  clients = fakeClients(fake);
  return { fake, clients };
}

const scope = { clusters: [], services: [], tasks: [], roles: [] };
const services = (f: FakeAws) => new Set(f.requests.map((r) => `${r.service}:${r.action}`));

describe("check() as a library, with the rules loaded lazily", () => {
  it("with `rules` of trust-policy alone: no volumes, trail or SCP read, and only its findings", async () => {
    const { fake, clients } = await serve();
    const only = rules.filter((r) => r.id === "trust-policy" || r.required);
    const wanted = collectionFor(only, EMPTY_CONFIG);
    expect(Object.values(wanted)).toContain(false);
    const report = await check({ scope, aws: { region: "us-east-1" }, collect: { clients }, rules: only });
    const seen = services(fake);
    expect(seen.has("ec2:DescribeVolumes")).toBe(wanted.volumes);
    expect(seen.has("cloudtrail:LookupEvents")).toBe(wanted.trail);
    expect(seen.has("organizations:DescribeOrganization")).toBe(wanted.organizations);
    const ids = new Set(report.findings.map((f) => f.rule));
    for (const id of ids) expect(only.map((r) => r.id)).toContain(id);
    expect(ids.has("trust-policy")).toBe(true);
  });

  it("with a config turning the volume rules off: what collectionFor says, no more", async () => {
    const { fake, clients } = await serve();
    const config = {
      ...EMPTY_CONFIG,
      rules: { "leaked-volumes": "off", "tasks-deprovisioning": "off", "cloudtrail-errors": "off" },
    } as typeof EMPTY_CONFIG;
    const wanted = collectionFor(rules, config);
    expect(Object.values(wanted)).toContain(false);
    await check({ scope, aws: { region: "us-east-1" }, collect: { clients }, config });
    const seen = services(fake);
    expect(seen.has("ec2:DescribeVolumes")).toBe(wanted.volumes);
    expect(seen.has("cloudtrail:LookupEvents")).toBe(wanted.trail);
    expect(seen.has("organizations:DescribeOrganization")).toBe(wanted.organizations);
  });

  it("with no rules and no config: every read, and every rule judged", async () => {
    const { fake, clients } = await serve();
    const report = await check({ scope, aws: { region: "us-east-1" }, collect: { clients } });
    const seen = services(fake);
    for (const api of [
      "ec2:DescribeVolumes",
      "cloudtrail:LookupEvents",
      "organizations:DescribeOrganization",
    ])
      expect(seen.has(api), api).toBe(true);
    expect(report.findings.some((f) => f.rule === "volume-permissions")).toBe(true);
  });
});
