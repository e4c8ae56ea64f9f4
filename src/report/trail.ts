import { roleResource } from "../analysis/role-subject.ts";
import { linkFailuresToStuckTasks, roleSession, sessionNamesFor } from "../analysis/trail-links.ts";
import type { Facts, RoleFacts, TrailEvent } from "../facts/types.ts";
import type { TrailRoleSummary, TrailSummary } from "./types.ts";

/** The outcome column of a call: "success", or the error code it failed with. */
export function outcomeOf(event: TrailEvent): string {
  return event.errorCode ?? "success";
}

function roleSummary(
  facts: Facts,
  role: RoleFacts,
  events: readonly TrailEvent[],
  unreadable: number,
): TrailRoleSummary {
  const counts: Record<string, Record<string, number>> = {};
  for (const event of events) {
    const byOutcome = counts[event.eventName] ?? {};
    const outcome = outcomeOf(event);
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + 1;
    counts[event.eventName] = byOutcome;
  }
  // Events are newest first: the first of each kind is the last that happened.
  const lastSuccess = events.find((e) => !e.errorCode)?.eventTime;
  const lastFailure = events.find((e) => e.errorCode)?.eventTime;
  const stuckTasks = linkFailuresToStuckTasks(
    facts,
    events.filter((e) => e.errorCode),
  );
  return {
    roleArn: roleResource(facts, role),
    counts,
    ...(lastSuccess ? { lastSuccess } : {}),
    ...(lastFailure ? { lastFailure } : {}),
    ...(unreadable ? { unreadable } : {}),
    ...(stuckTasks.length ? { stuckTasks } : {}),
  };
}

/**
 * The report's `trail` section: per session name looked up, per role that uses it, what the role's sessions did in
 * the window. A session whose lookup failed is left out; cloudtrail-errors reports it as unknown, naming the API.
 */
export function trailSummary(facts: Facts): TrailSummary {
  const trail = facts.trail;
  if (!trail) return {};
  const summary: TrailSummary = {};
  for (const [session, fact] of Object.entries(trail.sessions)) {
    if (!fact.ok) continue;
    summary[session] = facts.roles
      .filter((role) => sessionNamesFor(role).includes(session))
      .map((role) => {
        const { events, unreadable } = roleSession(fact.value, role, trail.startTime);
        return roleSummary(facts, role, events, unreadable);
      });
  }
  return summary;
}
