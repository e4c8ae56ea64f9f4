/** DateEquals, DateNotEquals, DateLessThan(Equals), DateGreaterThan(Equals): ISO 8601 or epoch seconds. */

import { parseNumber } from "./numeric.ts";
import { orderedOperators } from "./ordered.ts";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Parses a date to epoch milliseconds; undefined when it is neither ISO 8601 nor epoch seconds. */
export function parseDate(text: string): number | undefined {
  const seconds = parseNumber(text);
  if (seconds !== undefined) return seconds * 1000;
  if (!ISO_DATE.test(text)) return undefined;
  // A date-time without a zone is UTC (as AWS means it), never the machine's local time.
  const zoned = /T/.test(text) && !/(?:Z|[+-]\d{2}:?\d{2})$/.test(text) ? `${text}Z` : text;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

export const dateOperators = orderedOperators("Date", parseDate);
