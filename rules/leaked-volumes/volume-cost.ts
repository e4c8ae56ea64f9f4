import type { LeakedVolumeTotal } from "../../src/engine/totals.ts";
import type { VolumeFacts } from "../../src/facts/types.ts";
import { cents } from "../../src/money.ts";

/**
 * What an EBS volume costs a month while it exists, attached or not: provisioned storage, plus provisioned IOPS and
 * throughput where EBS bills them. An estimate: per-second billing, taxes, discounts and (for magnetic `standard`
 * volumes) I/O requests are left out.
 */

/** Prices for one volume type, in USD. */
export interface VolumeTypePrice {
  /** Per GiB-month of provisioned storage. */
  gibMonth: number;
  /**
   * Per provisioned IOPS-month above `included`, by tier: each tier's price applies up to `upTo` IOPS (the last
   * tier has none). Absent: the type's IOPS are not billed (gp2, st1, sc1, standard).
   */
  iops?: { included: number; tiers: { upTo?: number; usdPerIopsMonth: number }[] };
  /** Per provisioned MiB/s-month above `included` (gp3 only). */
  throughput?: { included: number; usdPerMibpsMonth: number };
}

export type VolumePriceTable = Record<string, VolumeTypePrice>;

/**
 * Default prices: US East (N. Virginia), us-east-1, in USD, as the Amazon EBS pricing page lists them
 * (https://aws.amazon.com/ebs/pricing/). That page could not be read from here: on 2026-12-01 the figures were
 * checked against AWS's agent toolkit (github.com/aws/agent-toolkit-for-aws, aws-billing-and-cost-management
 * references/ebs-optimization.md, "us-east-1 approximate as of early 2026": gp3 $0.08/GB, gp2 $0.10, io1/io2
 * $0.125/GB + $0.065/PIOPS) and third-party calculators (gp3 $0.005 per IOPS over 3,000, $0.04 per MB/s over 125);
 * the st1, sc1, standard and io2 tier prices are the pricing page's as last known, not re-checked. Other Regions
 * cost more: set `prices` in the config.
 */
export const DEFAULT_VOLUME_PRICES: VolumePriceTable = {
  // gp3: 3,000 IOPS and 125 MiB/s are included; more is billed per provisioned IOPS and MiB/s.
  gp3: {
    gibMonth: 0.08,
    iops: { included: 3000, tiers: [{ usdPerIopsMonth: 0.005 }] },
    throughput: { included: 125, usdPerMibpsMonth: 0.04 },
  },
  gp2: { gibMonth: 0.1 },
  io1: { gibMonth: 0.125, iops: { included: 0, tiers: [{ usdPerIopsMonth: 0.065 }] } },
  // io2: IOPS are tiered, cheaper above 32,000 and again above 64,000.
  io2: {
    gibMonth: 0.125,
    iops: {
      included: 0,
      tiers: [
        { upTo: 32_000, usdPerIopsMonth: 0.065 },
        { upTo: 64_000, usdPerIopsMonth: 0.0455 },
        { usdPerIopsMonth: 0.03185 },
      ],
    },
  },
  st1: { gibMonth: 0.045 },
  sc1: { gibMonth: 0.015 },
  // Magnetic: also $0.05 per million I/O requests, which DescribeVolumes cannot tell.
  standard: { gibMonth: 0.05 },
};

export type VolumeCost =
  | { known: true; monthlyUsd: number; storageUsd: number; iopsUsd: number; throughputUsd: number }
  | { known: false; reason: string };

function tieredIops(provisioned: number, price: NonNullable<VolumeTypePrice["iops"]>): number {
  let billed = Math.max(0, provisioned - price.included);
  let from = price.included;
  let usd = 0;
  for (const tier of price.tiers) {
    if (billed <= 0) break;
    const inTier = tier.upTo === undefined ? billed : Math.min(billed, Math.max(0, tier.upTo - from));
    usd += inTier * tier.usdPerIopsMonth;
    billed -= inTier;
    from += inTier;
  }
  return usd;
}

/** The volume's estimated monthly cost, or why it cannot be told (never 0 for "don't know"). */
export function monthlyCost(
  volume: Pick<VolumeFacts, "size" | "volumeType" | "iops" | "throughput">,
  prices: VolumePriceTable = DEFAULT_VOLUME_PRICES,
): VolumeCost {
  if (volume.size === undefined) return { known: false, reason: "its size is not known" };
  if (!volume.volumeType) return { known: false, reason: "its volume type is not known" };
  const price = Object.hasOwn(prices, volume.volumeType) ? prices[volume.volumeType] : undefined;
  if (!price) return { known: false, reason: `there is no price for volume type ${volume.volumeType}` };
  if (price.iops && volume.iops === undefined)
    return { known: false, reason: `its provisioned IOPS (billed for ${volume.volumeType}) are not known` };
  if (price.throughput && volume.throughput === undefined)
    return {
      known: false,
      reason: `its provisioned throughput (billed for ${volume.volumeType}) is not known`,
    };
  const storageUsd = volume.size * price.gibMonth;
  const iopsUsd = price.iops ? tieredIops(volume.iops ?? 0, price.iops) : 0;
  const throughputUsd = price.throughput
    ? Math.max(0, (volume.throughput ?? 0) - price.throughput.included) * price.throughput.usdPerMibpsMonth
    : 0;
  return {
    known: true,
    monthlyUsd: cents(storageUsd + iopsUsd + throughputUsd),
    storageUsd: cents(storageUsd),
    iopsUsd: cents(iopsUsd),
    throughputUsd: cents(throughputUsd),
  };
}

/** The leaked volumes' total for the report: what is known, and how many volumes could not be priced. */
export function leakedVolumeTotal(costs: readonly (number | null)[]): LeakedVolumeTotal {
  const known = costs.filter((c): c is number => typeof c === "number");
  return {
    volumes: costs.length,
    estimatedMonthlyCostUsd: cents(known.reduce((a, b) => a + b, 0)),
    unpricedVolumes: costs.length - known.length,
  };
}
