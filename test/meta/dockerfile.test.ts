import { existsSync, readFileSync } from "node:fs";
import { DockerfileParser } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";

/**
 * The container image for scheduled audits: the Dockerfile is linted and its contract checked here (Node 24 LTS,
 * non-root, the bundle as entrypoint, JSON report by default); scripts/image-smoke.sh builds and runs it for real.
 */
const text = readFileSync("Dockerfile", "utf8");
const dockerfile = DockerfileParser.parse(text);
const instructions = dockerfile
  .getInstructions()
  .map((i) => [i.getKeyword(), i.getArgumentsContent() ?? ""] as const);
const finalStage = instructions.slice(instructions.map(([k]) => k).lastIndexOf("FROM"));

describe("Dockerfile", () => {
  it("lints clean", () => {
    expect(validate(text)).toEqual([]);
  });

  it("builds and runs the bundle on Node 24 LTS, the final stage as a non-root user", () => {
    const bases = instructions.filter(([k]) => k === "FROM").map(([, a]) => a.split(/\s+/)[0]);
    expect(bases).toEqual(["node:24-bookworm-slim", "node:24-bookworm-slim"]);
    expect(finalStage).toContainEqual(["USER", "node"]);
    const entry = finalStage.find(([k]) => k === "ENTRYPOINT")?.[1] ?? "";
    expect(JSON.parse(entry)).toEqual(["node", "/app/dist/ecs-preflight.mjs"]);
    expect(JSON.parse(finalStage.find(([k]) => k === "CMD")?.[1] ?? "[]")).toEqual([
      "check",
      "--format",
      "json",
    ]);
  });

  it("is smoke-built on a stand-in base of the same Node major as its FROM tag", () => {
    // scripts/image-smoke.sh tags its stand-in with the Dockerfile's base name: a Node 22 stand-in tagged node:24
    // would let the smoke pass an image that never ran on Node 24.
    const smoke = readFileSync("scripts/image-smoke.sh", "utf8");
    const major = smoke.match(/^NODE_VERSION=(\d+)\.\d+\.\d+$/m)?.[1];
    const tag = finalStage[0]?.[1].match(/^node:(\d+)-/)?.[1];
    expect(major).toBeDefined();
    expect(major).toBe(tag);
  });

  it("ships the demo snapshot, so the image can be tried without AWS", () => {
    expect(finalStage).toContainEqual(["COPY", "/src/fixtures/demo/ ./fixtures/demo/"]);
  });

  it("takes a CA bundle only as a build arg with no default: a build without it is a plain build", () => {
    const args = instructions.filter(([k]) => k === "ARG").map(([, a]) => a);
    expect(args).toEqual(["NODE_EXTRA_CA_CERTS"]);
    expect(finalStage.some(([k, a]) => k === "ENV" && a.includes("NODE_EXTRA_CA_CERTS"))).toBe(false);
  });

  it("copies only what exists after a build, and keeps node_modules out of the context", () => {
    for (const [, args] of finalStage.filter(([k]) => k === "COPY")) {
      const source =
        args
          .replace(/--from=\S+\s+/, "")
          .split(/\s+/)[0]
          ?.replace(/^\/src\//, "") ?? "";
      expect(existsSync(source), source).toBe(true);
    }
    expect(readFileSync(".dockerignore", "utf8")).toMatch(/^node_modules$/m);
  });
});
