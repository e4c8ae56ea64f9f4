import { isDenial, type StuckTaskLink, stuckBecause } from "../../src/analysis/trail-links.ts";
import { shortName } from "../../src/arn/arn.ts";

/** Failed calls of one action with one error code. */
export interface FailureGroup {
  action: string;
  /** The IAM action, e.g. "ec2:DeleteVolume" (from the event source). */
  permission: string;
  errorCode: string;
  count: number;
  volumes: string[];
}

/** A failed action on a volume whose latest call of that action succeeded: it may have recovered. */
export interface Recovered {
  action: string;
  volumeId?: string;
  lastSuccess: string;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
export const list = (items: readonly string[], max = 3) =>
  items.slice(0, max).join(", ") + (items.length > max ? `, … (${items.length} in all)` : "");

function describeGroup(g: FailureGroup): string {
  const outcome = isDenial(g.errorCode) ? "denied" : "failed";
  const on = g.volumes.length ? ` on ${list(g.volumes)}` : "";
  return `${g.action} ${outcome} ${g.count}× (${g.errorCode})${on}`;
}

function recoveredSentence(recovered: readonly Recovered[]): string {
  if (!recovered.length) return "";
  const what = recovered.map((r) => `${r.action}${r.volumeId ? ` on ${r.volumeId}` : ""} (${r.lastSuccess})`);
  return ` The last call succeeded for ${list(what)}: that may have recovered, but it failed inside the window.`;
}

interface Sessions {
  role: string;
  sessions: readonly string[];
  /** "24h": the window looked at. */
  window: string;
  /** The role's uses whose calls were not looked at: AWS documents no session name for them. */
  unlooked?: readonly string[];
}

function unlookedSentence(d: Sessions): string {
  if (!d.unlooked?.length) return "";
  const those = d.unlooked.length === 1 ? "that use" : "those uses";
  return ` Its ${d.unlooked.join(" and ")} calls were not looked at: AWS documents no CloudTrail session name for ${those}.`;
}

/** cloudtrail-errors' wording, by message id. */
export const messages = {
  failed: (
    d: Sessions & {
      failures: number;
      groups: readonly FailureGroup[];
      first: string;
      last: string;
      sample?: string;
      stuckTasks: readonly StuckTaskLink[];
      recovered: readonly Recovered[];
      /** Session names that could not be looked up. */
      unread: readonly string[];
    },
  ) =>
    `${d.role}: ${plural(d.failures, "failed call")} by its ${d.sessions.join(" and ")} sessions in the last ${d.window}: ` +
    `${d.groups.map(describeGroup).join("; ")}. First failure ${d.first}, last ${d.last}.` +
    `${d.sample ? ` AWS said: "${d.sample}"` : ""}` +
    d.stuckTasks.map((l) => ` Task ${shortName(l.taskArn)} ${stuckBecause(l)}.`).join("") +
    recoveredSentence(d.recovered) +
    (d.unread.length ? ` The ${d.unread.join(" and ")} sessions could not be looked at.` : "") +
    unlookedSentence(d),
  clean: (d: Sessions & { calls: number }) =>
    `${d.role}: ${plural(d.calls, "call")} by its ${d.sessions.join(" and ")} sessions in the last ${d.window}, none failed.${unlookedSentence(d)}`,
  quiet: (d: Sessions) =>
    `${d.role}: no calls in the window (the last ${d.window}) by its ${d.sessions.join(" and ")} sessions, so none failed.${unlookedSentence(d)}`,
};
