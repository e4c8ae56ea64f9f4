import { createHash } from "node:crypto";
import type { Report } from "./types.ts";

/**
 * `--redact`: the report without the account's identifiers, for tickets and shared dashboards. Account ids become
 * `************`; each ARN's resource name becomes a stable pseudonym (`role-1a2b3c`), replaced everywhere it
 * appears (messages and fix commands too), so findings still line up with each other but name nothing.
 * AWS-owned ARNs (managed policies) are public and kept.
 */

const ARN = /arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}):([A-Za-z0-9_+=,.@\-/:*]+)/g;
const ACCOUNT = /(?<![\d])\d{12}(?![\d])/g;
const MASK = "************";

function pseudonym(kind: string, name: string): string {
  return `${kind}-${createHash("sha256").update(name).digest("hex").slice(0, 6)}`;
}

/** Names to hide, from every ARN in the report: "role/teams/x" → { x: "role-…" , teams: … }. */
function namesIn(text: string, names: Map<string, string>): void {
  for (const m of text.matchAll(ARN)) {
    const resource = m[5] ?? "";
    const [kind = "resource", ...path] = resource.split(/[/:]/);
    for (const part of path) {
      if (part && part !== "*" && !names.has(part)) names.set(part, pseudonym(kind, part));
    }
  }
}

function strings(value: unknown, visit: (s: string) => string): unknown {
  if (typeof value === "string") return visit(value);
  if (Array.isArray(value)) return value.map((v) => strings(v, visit));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [visit(k), strings(v, visit)]));
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function redactReport(report: Report): Report {
  const names = new Map<string, string>();
  const manyAccounts = new Set(report.targets?.map((t) => t.account)).size > 1;
  strings(report, (s) => {
    namesIn(s, names);
    return s;
  });
  // Longest names first, whole tokens only, so "api" does not eat part of "api-v2".
  const ordered = [...names.keys()].sort((a, b) => b.length - a.length);
  const token = ordered.length
    ? new RegExp(`(?<![A-Za-z0-9_.-])(${ordered.map(escapeRegExp).join("|")})(?![A-Za-z0-9_-])`, "g")
    : undefined;
  return strings(report, (s) => {
    const hidden = token ? s.replace(token, (n) => names.get(n) ?? n) : s;
    // Over several accounts each gets its own stable pseudonym, so targets and their findings stay apart.
    return hidden.replace(ACCOUNT, (id) => (manyAccounts ? pseudonym("account", id) : MASK));
  }) as Report;
}
