import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CHANGE_GATE_PERMISSIONS,
  CHANGE_GATE_SID,
  iamPolicyDocument,
  type Permission,
  READ_PERMISSIONS,
  READ_SID,
  STOP_PERMISSIONS,
  STOP_SID,
} from "../../src/permissions.ts";
import { isReadAction } from "../support/read-actions.ts";

/**
 * docs/iam-policy.json and the README's permissions table come from src/permissions.ts.
 * `UPDATE_DOCS=1 npx vitest run test/meta` rewrites both from it.
 */
const update = process.env.UPDATE_DOCS === "1";
const POLICY = "docs/iam-policy.json";
const README = "README.md";
const START = "<!-- permissions:start -->";
const END = "<!-- permissions:end -->";

function readmeTable(): string {
  const rows = new Map<string, string[]>();
  for (const p of [...READ_PERMISSIONS, ...CHANGE_GATE_PERMISSIONS, ...STOP_PERMISSIONS] as Permission[]) {
    const cell = `\`${p.action}\`${p.note ? ` (${p.note})` : ""}`;
    rows.set(p.for, [...(rows.get(p.for) ?? []), cell]);
  }
  const lines = [...rows].map(([situation, actions]) => `| ${situation} | ${actions.join(", ")} |`);
  return [START, "| For | Actions |", "|---|---|", ...lines, END].join("\n");
}

describe("the IAM policy ecs-preflight needs", () => {
  it("docs/iam-policy.json is generated from src/permissions.ts", () => {
    if (update) {
      writeFileSync(POLICY, JSON.stringify(iamPolicyDocument(), null, 2));
      // The repository's formatter has the last word on layout (lint checks it); the content is what is compared.
      execFileSync("node_modules/.bin/biome", ["format", "--write", POLICY], { stdio: "ignore" });
    }
    expect(JSON.parse(readFileSync(POLICY, "utf8"))).toEqual(iamPolicyDocument());
  });

  it("has one read-only statement, one for the change gate's CloudFormation reads, and one for stop's StopTask", () => {
    const { Statement } = JSON.parse(readFileSync(POLICY, "utf8")) as {
      Statement: { Sid: string; Effect: string; Action: string[] }[];
    };
    expect(Statement.map((s) => [s.Sid, s.Effect])).toEqual([
      [READ_SID, "Allow"],
      [CHANGE_GATE_SID, "Allow"],
      [STOP_SID, "Allow"],
    ]);
    const [read, changeGate, stop] = Statement;
    expect(read?.Action.filter((a) => !isReadAction(a))).toEqual([]);
    expect(changeGate?.Action.every((a) => a.startsWith("cloudformation:") && isReadAction(a))).toBe(true);
    expect(stop?.Action).toEqual(["ecs:StopTask"]);
    const all = Statement.flatMap((s) => s.Action);
    expect(new Set(all).size, "an action listed twice").toBe(all.length);
    for (const action of all) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
  });

  it("the README's permissions table is generated from the same source", () => {
    let readme = readFileSync(README, "utf8");
    const table = readmeTable();
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, "README needs the permissions table markers").toBeGreaterThanOrEqual(0);
    if (update) {
      readme = readme.slice(0, start) + table + readme.slice(end + END.length);
      writeFileSync(README, readme);
    }
    expect(readme.slice(start, readme.indexOf(END) + END.length)).toBe(table);
  });
});
