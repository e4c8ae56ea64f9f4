/** The exit-code contract, shown at the end of --help (pipelines gate on it). */
export const EXIT_CODES_HELP = `
Exit codes:
  0  safe: every check passed (or only warnings, below --fail-on)
  1  unsafe: a check failed
  2  usage or input error (bad flag, snapshot or config file)
  3  could not decide: a check is unknown (e.g. a read was denied) and none failed

Docs: ecs-preflight explain <rule-id>, README.md, docs/`;
