import { usesOfDetails } from "../analysis/role-usage.ts";
import { parseArn, roleNameOf } from "../arn/arn.ts";
import { CONCERNS, type Concern, type ConcernResult, type Concerns } from "../engine/concerns.ts";
import type { Finding } from "../engine/finding.ts";
import type { Rule } from "../engine/rule.ts";
import type { Status, Verdict } from "../engine/status.ts";

/**
 * The report's headline names the concern that failed and the ones that passed: "NOT safe to stop tasks" only when a
 * stopping-tasks rule fails; "deploys that pass ecsInfrastructureRole to ECS would fail · stopping tasks: safe" when
 * only a deploying rule does. Exit codes do not change: the verdict is still the worst finding.
 */

type Phrases = Record<Status, string>;

/** The concern said on its own (it leads the headline) and, after another, as a short clause. */
const LEAD: Record<Concern, Phrases> = {
  "stopping-tasks": {
    fail: "NOT safe to stop tasks",
    unknown: "could not decide whether stopping tasks is safe: some checks could not be made",
    warn: "safe to stop, with warnings",
    pass: "safe to stop the tasks in scope",
    skipped: "stopping tasks: not judged",
  },
  "deploying-services": {
    fail: "deploying services would fail",
    unknown: "could not decide whether deploying services would work",
    warn: "deploying services: warnings",
    pass: "deploying services: fine",
    skipped: "deploying services: not judged",
  },
  "changing-the-role": {
    fail: "changing the role now would break what uses it",
    unknown: "could not decide whether the role may change",
    warn: "changing the role: warnings",
    pass: "changing the role: fine",
    skipped: "changing the role: not judged",
  },
};

const AFTER: Record<Concern, Partial<Phrases>> = {
  "stopping-tasks": {
    unknown: "stopping tasks: could not decide",
    warn: "stopping tasks: safe, with warnings",
    pass: "stopping tasks: safe",
  },
  "deploying-services": {},
  "changing-the-role": {},
};

/** "a", "a and b", "a, b and c", "a, b and 3 more". */
function names(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  if (items.length > 3) return `${items.slice(0, 2).join(", ")} and ${items.length - 2} more`;
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** What the failing rules of a concern say, with the roles they failed for; the concern's own words otherwise. */
function failPhrase(concern: Concern, findings: readonly Finding[], rules: readonly Rule[]): string {
  if (concern === "stopping-tasks") return LEAD[concern].fail;
  const failing = findings.filter((f) => f.status === "fail" && !f.suppressed);
  const phrases = [...new Set(failing.map((f) => f.rule))].map((id) => {
    const template = rules.find((r) => r.id === id && r.concern === concern)?.headline;
    if (!template) return undefined;
    const mine = failing.filter((f) => f.rule === id);
    const roles = mine.flatMap((f) =>
      parseArn(f.resource)?.resource.startsWith("role/") ? [roleNameOf(f.resource)] : [],
    );
    // What uses the roles, from the findings' details: " (EBS volumes and Managed Instances)", or nothing.
    const uses = [...new Set(mine.flatMap((f) => usesOfDetails(f.details).map((u) => u.label)))];
    return template
      .replace("{roles}", names([...new Set(roles)]) || "the role")
      .replace("{uses}", uses.length ? ` (${names(uses)})` : "");
  });
  const said = [...new Set(phrases.filter((p): p is string => Boolean(p)))];
  return said.length && said.length === phrases.length ? said.join("; ") : LEAD[concern].fail;
}

/** The headline of a report (or one target's): the concerns that did not pass, worst first, then stopping tasks. */
export function headlineOf(
  concerns: Concerns | undefined,
  verdict: Verdict,
  findings: readonly Finding[],
  rules: readonly Rule[],
): string {
  // A report written before concerns existed: its verdict, as stopping tasks.
  if (!concerns) return LEAD["stopping-tasks"][verdict];
  const of = (status: Status) => CONCERNS.filter((c) => concerns[c].status === status);
  const clauses: string[] = [];
  const say = (concern: Concern, status: Status) => {
    const result: ConcernResult = concerns[concern];
    const lead = clauses.length === 0;
    if (status === "fail")
      clauses.push(
        failPhrase(
          concern,
          findings.filter((f) => result.failed.includes(f.rule)),
          rules,
        ),
      );
    else clauses.push((lead ? undefined : AFTER[concern][status]) ?? LEAD[concern][status]);
  };
  for (const status of ["fail", "unknown", "warn"] as const) for (const c of of(status)) say(c, status);
  // Stopping tasks is the page's question: say how it stands even when all is well; the others only when skipped.
  const stopping = concerns["stopping-tasks"].status;
  if (stopping === "pass" || stopping === "skipped") say("stopping-tasks", stopping);
  for (const c of of("skipped")) if (c !== "stopping-tasks") say(c, "skipped");
  return clauses.join(" · ");
}
