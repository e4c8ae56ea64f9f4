import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * What package.json promises a user who installs the tarball. scripts/package-smoke.sh (CI) packs, installs and runs
 * it; this keeps the promises in step with the build between those runs.
 */
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const typesConfig = JSON.parse(readFileSync("tsconfig.types.json", "utf8"));
const shipped = (path: string) => pkg.files.some((f: string) => path === f || path.startsWith(`${f}/`));

describe("package.json", () => {
  it("points types at the declarations the build emits for src/index.ts, not at sources it does not ship", () => {
    const { rootDir, outDir } = typesConfig.compilerOptions;
    expect(rootDir).toBe(".");
    expect(typesConfig.files).toEqual(["src/index.ts"]);
    // scripts/build.mjs emits into <its dist>/types, which becomes dist/types.
    expect(outDir).toBe("dist/types");
    expect(pkg.types).toBe(`${outDir}/src/index.d.ts`);
    expect(pkg.exports["."]).toEqual({ types: `./${pkg.types}`, default: `./${pkg.main}` });
    expect(shipped(pkg.types)).toBe(true);
    expect(shipped("src/index.ts")).toBe(false);
  });

  it("ships the bin, the schema and the demo snapshot", () => {
    expect(shipped(pkg.bin["ecs-preflight"])).toBe(true);
    expect(shipped("schema/facts.schema.json")).toBe(true);
    expect(shipped("fixtures/demo/account.json")).toBe(true);
    expect(shipped("docs/iam-policy.json")).toBe(true);
  });

  it("promises no Node older than the oldest the package smoke runs the bundle on", () => {
    const smoke = readFileSync("scripts/package-smoke.sh", "utf8");
    const versions = smoke.match(/^NODE_VERSIONS=\(([^)]*)\)$/m)?.[1]?.split(/\s+/) ?? [];
    expect(pkg.engines.node).toBe(`>=${versions[0]}`);
    // Every LTS major from that floor up to the one the image runs (Dockerfile), none skipped.
    const imageMajor = Number(readFileSync("Dockerfile", "utf8").match(/^FROM node:(\d+)-/m)?.[1]);
    const majors = versions.map((v) => Number(v.split(".")[0]));
    const floor = majors[0] ?? Number.NaN;
    expect(majors).toEqual(Array.from({ length: (imageMajor - floor) / 2 + 1 }, (_, i) => floor + 2 * i));
  });
});
