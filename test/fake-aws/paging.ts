import { createHash } from "node:crypto";

/**
 * Opaque pagination tokens (IAM Marker, ECS/CloudTrail/EC2 NextToken). A token carries the offset and a digest of
 * the query it belongs to, so a token replayed with other parameters is refused, as CloudTrail and ECS do.
 */

export function queryDigest(query: unknown): string {
  return createHash("sha256").update(JSON.stringify(query)).digest("hex").slice(0, 16);
}

export function encodeToken(offset: number, query: unknown): string {
  return Buffer.from(JSON.stringify({ o: offset, q: queryDigest(query) })).toString("base64url");
}

/** The offset a token stands for, or undefined when the token is not one of ours for this query. */
export function decodeToken(token: string, query: unknown): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const { o, q } = parsed as { o?: unknown; q?: unknown };
    if (typeof o !== "number" || !Number.isInteger(o) || o < 0 || q !== queryDigest(query)) return undefined;
    return o;
  } catch {
    return undefined;
  }
}

export interface Page<T> {
  items: T[];
  /** Offset of the next page, when there is one. */
  next?: number;
}

export function pageOf<T>(all: readonly T[], offset: number, size: number): Page<T> {
  const items = all.slice(offset, offset + size);
  const end = offset + items.length;
  return end < all.length ? { items, next: end } : { items };
}

/** The page size a call gets: what it asked for (or the default), never above the fake's configured cap. */
export function effectivePageSize(
  asked: number | undefined,
  defaultSize: number,
  cap: number | undefined,
): number {
  const size = asked ?? defaultSize;
  return cap === undefined ? size : Math.min(size, cap);
}
