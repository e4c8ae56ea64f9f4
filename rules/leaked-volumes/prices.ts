import { DEFAULT_VOLUME_PRICES, type VolumePriceTable } from "./volume-cost.ts";

/**
 * The config's `prices`: per volume type, any of `gibMonth`, `iopsMonth` (a number, or one per tier for io2) and
 * `throughputMonth` (gp3), in USD, laid over the default us-east-1 table. Other Regions' prices differ.
 */

type Fail = (path: string, expected: string) => never;

const FIELDS = ["gibMonth", "iopsMonth", "throughputMonth"];

const isPrice = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

export function parseVolumePrices(raw: unknown, fail: Fail): VolumePriceTable {
  const types = Object.keys(DEFAULT_VOLUME_PRICES);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    fail("prices", `an object of volume type (${types.join(", ")}) to prices`);
  const table: VolumePriceTable = structuredClone(DEFAULT_VOLUME_PRICES);
  for (const [type, given] of Object.entries(raw as Record<string, unknown>)) {
    const at = `prices.${type}`;
    // Own keys only: "constructor" or "__proto__" would otherwise reach Object's prototype.
    const price = Object.hasOwn(table, type) ? table[type] : undefined;
    if (!price) fail(at, `a volume type (${types.join(", ")})`);
    if (typeof given !== "object" || given === null || Array.isArray(given))
      fail(at, "an object with gibMonth, and iopsMonth or throughputMonth where EBS bills them");
    const fields = given as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      if (!FIELDS.includes(key)) fail(`${at}.${key}`, `one of ${FIELDS.join(", ")} (unknown key)`);
    }
    if (fields.gibMonth !== undefined) {
      if (!isPrice(fields.gibMonth)) fail(`${at}.gibMonth`, "a price in USD per GiB-month (a number ≥ 0)");
      price.gibMonth = fields.gibMonth;
    }
    if (fields.iopsMonth !== undefined) {
      const { iops } = price;
      if (!iops) fail(`${at}.iopsMonth`, `no IOPS price: EBS does not bill ${type} volumes' IOPS`);
      const tiers = iops.tiers.length;
      const values: unknown[] = Array.isArray(fields.iopsMonth) ? fields.iopsMonth : [fields.iopsMonth];
      if (!values.every(isPrice) || (Array.isArray(fields.iopsMonth) && values.length !== tiers))
        fail(
          `${at}.iopsMonth`,
          tiers > 1
            ? `a price in USD per provisioned IOPS-month (a number ≥ 0), or ${tiers} of them, one per tier`
            : "a price in USD per provisioned IOPS-month (a number ≥ 0)",
        );
      const prices = values as number[];
      iops.tiers = iops.tiers.map((tier, i) => ({
        ...tier,
        usdPerIopsMonth: prices[i] ?? (prices[0] as number),
      }));
    }
    if (fields.throughputMonth !== undefined) {
      const { throughput } = price;
      if (!throughput)
        fail(`${at}.throughputMonth`, `no throughput price: EBS does not bill ${type} volumes' throughput`);
      if (!isPrice(fields.throughputMonth))
        fail(`${at}.throughputMonth`, "a price in USD per provisioned MiB/s-month (a number ≥ 0)");
      throughput.usdPerMibpsMonth = fields.throughputMonth;
    }
  }
  return table;
}
