import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/engine/config.ts";
import { InputError } from "../../src/errors.ts";
import leakedVolumes, { type LeakedVolumesOptions } from "./index.ts";
import { DEFAULT_VOLUME_PRICES, monthlyCost } from "./volume-cost.ts";

/** The config's `prices`, leaked-volumes' own option: validated with the config, named by its path. */
const IDS = ["leaked-volumes"];
const options = (raw: unknown) =>
  parseConfig(raw, "c.json", IDS, [], [leakedVolumes]).ruleOptions?.["leaked-volumes"] as
    | LeakedVolumesOptions
    | undefined;
const prices = (raw: unknown) => options({ prices: raw })?.prices;

describe("config prices", () => {
  it("lays the given prices over the us-east-1 defaults, type by type and field by field", () => {
    const table = prices({ gp3: { gibMonth: 0.0912 }, io2: { iopsMonth: [0.07, 0.05, 0.035] } });
    expect(table?.gp3?.gibMonth).toBe(0.0912);
    expect(table?.gp3?.throughput).toEqual(DEFAULT_VOLUME_PRICES.gp3?.throughput);
    expect(table?.io2?.iops?.tiers.map((t) => [t.upTo, t.usdPerIopsMonth])).toEqual([
      [32_000, 0.07],
      [64_000, 0.05],
      [undefined, 0.035],
    ]);
    expect(table?.sc1).toEqual(DEFAULT_VOLUME_PRICES.sc1);
    // The defaults themselves are untouched.
    expect(DEFAULT_VOLUME_PRICES.gp3?.gibMonth).toBe(0.08);
  });

  it("one io2 IOPS price applies to every tier", () => {
    // 500 GiB × $0.125 = $62.50; 40,000 IOPS × $0.05 = $2,000.00 → $2,062.50
    const table = prices({ io2: { iopsMonth: 0.05 } });
    expect(monthlyCost({ size: 500, volumeType: "io2", iops: 40_000 }, table)).toMatchObject({
      known: true,
      monthlyUsd: 2062.5,
    });
  });

  it("a key naming an Object property (constructor, __proto__) is no volume type, and touches no prototype", () => {
    for (const text of ['{"constructor": {"gibMonth": 1}}', '{"__proto__": {"gibMonth": 1}}']) {
      expect(() => prices(JSON.parse(text))).toThrow(
        /prices\.(constructor|__proto__): expected a volume type/,
      );
    }
    expect(({} as Record<string, unknown>).gibMonth).toBeUndefined();
    expect(monthlyCost({ size: 10, volumeType: "constructor" })).toMatchObject({ known: false });
  });

  it("no prices key: no table, the rule uses the defaults", () => {
    expect(options({})?.prices).toBeUndefined();
  });

  it.each([
    [
      [],
      "c.json: prices: expected an object of volume type (gp3, gp2, io1, io2, st1, sc1, standard) to prices",
    ],
    [
      { gp4: { gibMonth: 1 } },
      "c.json: prices.gp4: expected a volume type (gp3, gp2, io1, io2, st1, sc1, standard)",
    ],
    [{ gp3: 0.08 }, "c.json: prices.gp3: expected an object with gibMonth"],
    [
      { gp3: { perGiB: 0.08 } },
      "c.json: prices.gp3.perGiB: expected one of gibMonth, iopsMonth, throughputMonth",
    ],
    [{ gp3: { gibMonth: -1 } }, "c.json: prices.gp3.gibMonth: expected a price in USD per GiB-month"],
    [{ gp3: { gibMonth: "0.08" } }, "c.json: prices.gp3.gibMonth: expected a price in USD per GiB-month"],
    [
      { gp2: { iopsMonth: 0.005 } },
      "c.json: prices.gp2.iopsMonth: expected no IOPS price: EBS does not bill gp2",
    ],
    [{ io1: { throughputMonth: 0.04 } }, "c.json: prices.io1.throughputMonth: expected no throughput price"],
    [
      { io2: { iopsMonth: [0.06, 0.04] } },
      "c.json: prices.io2.iopsMonth: expected a price in USD per provisioned IOPS-month (a number ≥ 0), or 3 of them, one per tier",
    ],
    [
      { gp3: { throughputMonth: null } },
      "c.json: prices.gp3.throughputMonth: expected a price in USD per provisioned MiB/s-month",
    ],
  ])("rejects %j naming the path", (raw, message) => {
    expect(() => prices(raw)).toThrow(InputError);
    expect(() => prices(raw)).toThrow(message);
  });
});
