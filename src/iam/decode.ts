/**
 * Policy documents as IAM returns them: URL-encoded (RFC 3986) JSON from the JS SDK, already-decoded JSON from
 * other sources (botocore, snapshots). Both are accepted.
 */

export type DecodeResult = { ok: true; value: unknown } | { ok: false; message: string };

/** Decodes and JSON-parses a policy document; the message says what was wrong and where. */
export function decodePolicyDocument(raw: string): DecodeResult {
  if (raw.trim() === "") return { ok: false, message: "the policy document is empty" };
  const asIs = parseJson(raw);
  if (asIs.ok) return asIs;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Not valid percent-encoding: the text was meant as plain JSON, so its JSON error is the one to report.
    return { ok: false, message: `the policy document is not valid JSON: ${asIs.message}` };
  }
  if (decoded === raw)
    return { ok: false, message: `the policy document is not valid JSON: ${asIs.message}` };
  const parsed = parseJson(decoded);
  if (parsed.ok) return parsed;
  return { ok: false, message: `the URL-decoded policy document is not valid JSON: ${parsed.message}` };
}

function parseJson(text: string): DecodeResult {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `${detail}${where(text, detail)}` };
  }
}

/** " (line L, column C)" when the JSON error names a position, so a long one-line document is still findable. */
function where(text: string, detail: string): string {
  const match = /position (\d+)/.exec(detail);
  if (!match) return "";
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return ` (line ${line}, column ${column})`;
}
