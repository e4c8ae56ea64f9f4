import { describe, expect, it } from "vitest";
import { usd } from "../src/money.ts";

/** usd() formats by hand what toLocaleString("en-US") would, without Intl's start-up cost: Intl is the oracle here. */
const intl = (amount: number) =>
  `$${amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

describe("usd", () => {
  it("groups thousands and keeps two decimals", () => {
    expect(usd(0)).toBe("$0.00");
    expect(usd(8)).toBe("$8.00");
    expect(usd(1234.5)).toBe("$1,234.50");
    expect(usd(1234567.891)).toBe("$1,234,567.89");
  });

  it("rounds halves away from zero on the shortest decimal form, as Intl does (not as toFixed does)", () => {
    for (const amount of [0.005, 0.015, 2.675, 9.995, 999.995, 12345.675, 0.1 + 0.2, 1e-7, 1e21, -3.5])
      expect(usd(amount), String(amount)).toBe(intl(amount));
  });

  it("agrees with Intl on a spread of amounts", () => {
    for (let i = 0; i < 2000; i++) {
      const amount = ((i * 7919) % 100_003) / 1000 + i * 13.37;
      expect(usd(amount), String(amount)).toBe(intl(amount));
    }
  });
});
