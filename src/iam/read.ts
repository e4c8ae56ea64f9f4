/** From the raw string IAM returns to a Policy: decode, then parse. */

import { decodePolicyDocument } from "./decode.ts";
import { parsePolicy } from "./parse.ts";
import type { ParseResult, PolicySource } from "./types.ts";

/** Decodes (URL-encoded or plain JSON) and parses a policy document; a decoding problem has the empty path. */
export function readPolicy(raw: string, source: PolicySource): ParseResult {
  const decoded = decodePolicyDocument(raw);
  if (!decoded.ok) return { ok: false, errors: [{ path: "", message: decoded.message }] };
  return parsePolicy(decoded.value, source);
}
