// The small account issue 18 measured: one cluster and service, 250 running tasks (3 pages), one role, 20 trail
// events. Start-up and the dependent chain set its wall time, not AWS's rate limits. bench/run.mjs and timeline.mjs.
export const SMALL_SHAPE = {
  clusters: 1,
  services: 1,
  tasks: 250,
  stoppedTasks: 0,
  roles: 1,
  trailEvents: 20,
};
