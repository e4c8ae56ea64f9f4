import { expect } from "vitest";
import type { Report } from "../../src/report/types.ts";
import type { CliResult } from "./cli.ts";

/** What the fault tests hold every faulted run to, against the same account without faults. */
export function expectHonestUnder(fault: string, faulted: CliResult, baseline: Report): Report {
  expect(faulted.stderr, `${fault}: stack trace on stderr`).not.toMatch(/\n\s+at [\w.<]/);
  expect(faulted.stderr, `${fault}: crash`).not.toMatch(/ecs-preflight: internal error/);
  expect([baseline.exitCode, 3], `${fault}: exit code`).toContain(faulted.code);
  const report = JSON.parse(faulted.stdout) as Report;
  expect(report.exitCode).toBe(faulted.code);
  const before = new Map(baseline.findings.map((f) => [`${f.rule} ${f.resource}`, f.status]));
  for (const f of report.findings) {
    // Never a pass the unfaulted account would not give.
    if (f.status === "pass")
      expect(before.get(`${f.rule} ${f.resource}`), `${fault}: ${f.rule} ${f.resource}`).toBe("pass");
    // Unknown names the API and the error.
    if (f.status === "unknown") {
      expect(f.details?.api, `${fault}: ${f.rule} unknown without the API`).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      expect(f.message).toContain(String(f.details?.api));
      expect(f.message).toContain(String(f.details?.code));
    }
  }
  // A fail the unfaulted account gives is never hidden by a fault: it stays fail or becomes unknown.
  for (const f of baseline.findings.filter((x) => x.status === "fail")) {
    const now = report.findings.find((x) => x.rule === f.rule && x.resource === f.resource);
    if (now) expect(["fail", "unknown"], `${fault}: ${f.rule} ${f.resource}`).toContain(now.status);
  }
  return report;
}
