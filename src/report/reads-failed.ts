/** How the reports count the reads a common cause failed: "all 6 AWS reads failed", "the one AWS read failed". */
export function readsFailed(n: number): string {
  return n === 1 ? "the one AWS read failed" : `all ${n} AWS reads failed`;
}
