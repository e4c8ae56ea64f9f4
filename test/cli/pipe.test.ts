import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the bundled CLI into a pipe. `hangUp` closes the reading end before the CLI writes, as `head` has by the time
 * a long report is written: every write then fails with EPIPE.
 */
function bundle(args: string[], hangUp: boolean): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["dist/ecs-preflight.mjs", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (hangUp) child.stdout.destroy();
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("output into a pipe", () => {
  it("ends quietly, with no stack trace, when the reader has hung up (rules | head)", async () => {
    const r = await bundle(["rules"], true);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    expect(r.code).toBe(0);
  });

  it("answers --version (and -V) with the version alone", async () => {
    for (const flag of ["--version", "-V"])
      expect((await bundle([flag], false)).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
