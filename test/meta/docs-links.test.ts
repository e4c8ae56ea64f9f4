import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/** Docs that name a file or a test must name one that exists: docs/reliability.md is a table of proofs. */
const docs = [
  "README.md",
  ...readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

describe("documentation references", () => {
  it.each(docs)("%s names only files that exist", (doc) => {
    const text = readFileSync(doc, "utf8");
    const paths = [
      ...text.matchAll(/`((?:test|src|rules|schema|docs|fixtures|bench|scripts)\/[^`*\s<]+)`/g),
    ].map((m) => m[1] ?? "");
    const links = [...text.matchAll(/\]\(((?!https?:)[^)#\s]+)\)/g)].map((m) => m[1] ?? "");
    for (const path of [...paths, ...links]) {
      const resolved =
        doc.startsWith("docs/") && !path.startsWith("docs/") && links.includes(path) ? `docs/${path}` : path;
      expect(existsSync(resolved) || existsSync(path), `${doc} → ${path}`).toBe(true);
    }
  });

  it("reliability.md names test cases that exist in the files it cites", () => {
    const text = readFileSync("docs/reliability.md", "utf8");
    for (const row of text.split("\n").filter((l) => l.startsWith("|"))) {
      for (const m of row.matchAll(/`(test\/[^`]+\.test\.ts)` "([^"]+)"/g)) {
        const [, file = "", title = ""] = m;
        expect(readFileSync(file, "utf8"), `${file} should have a test matching "${title}"`).toContain(title);
      }
    }
  });
});
