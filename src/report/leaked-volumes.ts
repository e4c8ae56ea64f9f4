import type { LeakedVolumeTotal } from "../engine/totals.ts";
import { usd } from "../money.ts";

/** "2 leaked volumes, an estimated $12.00 a month or more (1 of unknown cost)" for the text, Markdown and JUnit reports. */
export function describeLeakedVolumes(total: LeakedVolumeTotal): string {
  const n = `${total.volumes} leaked volume${total.volumes === 1 ? "" : "s"}`;
  if (total.unpricedVolumes === total.volumes) return `${n}, monthly cost unknown`;
  const estimate = `an estimated ${usd(total.estimatedMonthlyCostUsd)} a month`;
  return total.unpricedVolumes
    ? `${n}, ${estimate} or more (${total.unpricedVolumes} of unknown cost)`
    : `${n}, ${estimate}`;
}
