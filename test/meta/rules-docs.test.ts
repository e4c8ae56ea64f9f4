import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import { explainText } from "../../src/cli/commands/rules-run.ts";
import { CONCERN_TITLES } from "../../src/engine/concerns.ts";

/**
 * Every rule has its file, its table tests, its doc and its README row, all from one source (the rule's metadata).
 * `UPDATE_DOCS=1 npx vitest run test/meta` rewrites docs/rules/*.md and the README table from the metadata.
 */
const update = process.env.UPDATE_DOCS === "1";
const README = "README.md";
const START = "<!-- rules:start -->";
const END = "<!-- rules:end -->";

function readmeTable(): string {
  const rows = rules.map(
    (r) =>
      `| [\`${r.id}\`](docs/rules/${r.id}.md) | ${CONCERN_TITLES[r.concern]} | ${r.severity} | ${r.docs.summary} |`,
  );
  return [START, "| Rule | Concern | Severity | Checks that |", "|---|---|---|---|", ...rows, END].join("\n");
}

describe("rule registry", () => {
  it("lists rules with unique ids, sorted as reports show them, each id equal to its folder name", () => {
    const ids = rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(existsSync(`rules/${id}/index.ts`), `rules/${id}/index.ts`).toBe(true);
  });

  for (const rule of rules) {
    describe(rule.id, () => {
      it("has table tests", () => {
        const file = `rules/${rule.id}/${rule.id}.test.ts`;
        expect(existsSync(file), file).toBe(true);
        const text = readFileSync(file, "utf8");
        expect(text).toMatch(/valid: \[/);
        expect(text).toMatch(/invalid: \[/);
      });
      it("has complete metadata", () => {
        expect(rule.title).toBeTruthy();
        expect(rule.docs.summary.length).toBeGreaterThan(20);
        expect(rule.docs.rationale.length).toBeGreaterThan(40);
        expect(rule.docs.remediation).toMatch(/aws |ecs-preflight /);
      });
      it("has docs/rules/<id>.md equal to `ecs-preflight explain`", () => {
        const file = `docs/rules/${rule.id}.md`;
        if (update) writeFileSync(file, explainText(rule.id));
        expect(readFileSync(file, "utf8")).toBe(explainText(rule.id));
      });
    });
  }

  it("has a README row per rule, generated from the metadata", () => {
    let readme = readFileSync(README, "utf8");
    const table = readmeTable();
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, "README needs the rules table markers").toBeGreaterThanOrEqual(0);
    if (update) {
      readme = readme.slice(0, start) + table + readme.slice(end + END.length);
      writeFileSync(README, readme);
    }
    expect(readme.slice(start, readme.indexOf(END) + END.length)).toBe(table);
  });
});
