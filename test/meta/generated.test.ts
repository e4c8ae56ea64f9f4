import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without types
import { generateValidator } from "../../scripts/gen-validator.mjs";

describe("generated code", () => {
  it("src/snapshot/facts-validator.generated.js matches schema/facts.schema.json (run `npm run gen` after editing the schema)", () => {
    expect(readFileSync("src/snapshot/facts-validator.generated.js", "utf8")).toBe(generateValidator());
  });
});
