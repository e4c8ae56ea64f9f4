// Its own module: the client setup (clients.ts) and the pacing (api-pacing.ts) both raise it, and import each other
// no more for it.

/** The error a call gets once the run's --timeout has passed. */
export function runTimeoutError(signal: AbortSignal): Error {
  const reason = signal.reason instanceof Error ? signal.reason.message : "the run's --timeout passed";
  return Object.assign(new Error(reason), { name: "RunTimeout" });
}
