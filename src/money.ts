/** Amounts in USD as the reports show them: rounded to cents, and written with thousands grouped. */

/** Rounds an amount to cents. */
export const cents = (usd: number) => Math.round(usd * 100) / 100;

/**
 * "$1,234.50": how the reports show an amount, rounded half away from zero on the shortest decimal form, as
 * `toLocaleString("en-US")` does. Formatted by hand: Intl's first use costs ≈15 ms of start-up, a tenth of an
 * offline check.
 */
export function usd(amount: number): string {
  const [whole, fraction] = twoDecimals(Math.abs(amount));
  return `$${amount < 0 ? "-" : ""}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${fraction}`;
}

function twoDecimals(a: number): [string, string] {
  const shortest = String(a);
  // Exponent forms: below 1e-7 it rounds to 0.00; from 1e21 on, the digits are the integer's own.
  if (shortest.includes("e")) return a < 1 ? ["0", "00"] : [BigInt(a).toString(), "00"];
  const [int = "0", frac = ""] = shortest.split(".");
  let cents = BigInt(int + `${frac}00`.slice(0, 2));
  if ((frac[2] ?? "0") >= "5") cents += 1n;
  const digits = cents.toString().padStart(3, "0");
  return [digits.slice(0, -2), digits.slice(-2)];
}
