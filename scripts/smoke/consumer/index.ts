// A library user's file, type-checked by scripts/package-smoke.sh against the packed tarball's declarations.
import { check, type Finding, type Report, readSnapshot, rules, type Status } from "ecs-preflight";

const facts = await readSnapshot("node_modules/ecs-preflight/fixtures/demo/account.json");
const report: Report = await check({
  scope: { roles: [], clusters: [], services: [], tasks: [] },
  facts,
});
const failing: Finding[] = report.findings.filter((f) => f.status !== "pass");
const status: Status = failing[0]?.status ?? "pass";
const ids: string[] = rules.map((r) => r.id);
export const summary = { exitCode: report.exitCode, status, ids };

// The declarations are real types, not `any`: each misuse below must be an error.
// @ts-expect-error Report has no such field
report.noSuchField;
// @ts-expect-error the scope is required
await check({});
// @ts-expect-error exitCode is a number
export const wrong: string = report.exitCode;
