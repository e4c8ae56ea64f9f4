import { describe, expect, it } from "vitest";
import { rules } from "../../rules/index.ts";
import { evaluate } from "../../src/index.ts";
import { combineParts, partsOf } from "../../src/report/combine.ts";
import { formatterFor } from "../../src/report/formatter.ts";
import { FORMATS, formatReport } from "../../src/report/index.ts";
import type { Report } from "../../src/report/types.ts";
import { readSnapshot } from "../../src/snapshot/index.ts";

/** The CLI loads one formatter (src/report/formatter.ts); the library's formatReport has them all: the same text. */

const demo: Report = evaluate(await readSnapshot("fixtures/demo/account.json"), {
  source: "snapshot",
  snapshot: "demo.json",
});
// The demo as a run over two targets: text and Markdown show it per target.
const targets: Report = combineParts(
  [
    ...partsOf({ ...demo, account: "111122223333", region: "us-east-1" }),
    ...partsOf({ ...demo, account: "444455556666", region: "eu-west-1" }),
  ],
  {
    failOn: "fail",
    startedAt: new Date("2026-12-01T00:00:00Z"),
    durationMs: 10,
    rules,
    base: { tool: demo.tool, scope: demo.scope, collectedAt: demo.collectedAt },
  },
);

describe("formatterFor", () => {
  for (const [name, report] of [
    ["one account", demo],
    ["targets", targets],
  ] as const)
    for (const format of FORMATS)
      it(`${format} of a report of ${name} is formatReport's, with and without colour`, async () => {
        const formatter = await formatterFor(format, report);
        for (const options of [
          { color: false, rules },
          { color: true, rules, changeFile: "plan.json", changeText: '{"resource_changes": []}' },
        ])
          expect(formatter(report, options)).toBe(formatReport(report, format, options));
      });

  it("gives each format its own text, and a report over targets its own view (the cases above differ)", async () => {
    const texts = await Promise.all(
      FORMATS.map(async (f) => (await formatterFor(f, demo))(demo, { color: false, rules })),
    );
    expect(new Set(texts).size).toBe(FORMATS.length);
    expect(targets.targets).toHaveLength(2);
    for (const f of ["text", "markdown"] as const)
      expect((await formatterFor(f, targets))(targets, { color: false, rules })).not.toBe(
        (await formatterFor(f, demo))(targets, { color: false, rules }),
      );
  });
});
