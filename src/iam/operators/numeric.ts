/** NumericEquals, NumericNotEquals, NumericLessThan(Equals), NumericGreaterThan(Equals): integers and decimals. */

import { orderedOperators } from "./ordered.ts";

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a decimal number; undefined for anything else (Number() would accept "", "0x10", "Infinity"). */
export function parseNumber(text: string): number | undefined {
  return NUMBER.test(text) ? Number(text) : undefined;
}

export const numericOperators = orderedOperators("Numeric", parseNumber);
