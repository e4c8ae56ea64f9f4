import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * scripts/smoke/steps.sh counts the smoke scripts' steps, and .ci/run adds them to its closing line: a step with
 * the wrong exit code, or a live step that never reached the fake AWS, must count as failed and fail the script.
 */
function smoke(body: string) {
  const run = spawnSync("bash", ["-c", `. scripts/smoke/steps.sh\n${body}\nsmoke_summary`], {
    encoding: "utf8",
  });
  const lines = run.stdout.trim().split("\n");
  return { code: run.status, last: lines.at(-1), stdout: run.stdout };
}

describe("smoke steps", () => {
  it("passes a step that exits as expected, and ends with the count", () => {
    const r = smoke("step 'exits 1 as expected' 1 bash -c 'exit 1'\nstep 'exits 0' 0 true");
    expect(r.last).toBe("2 passed, 0 failed");
    expect(r.code).toBe(0);
  });

  it("fails a step with another exit code, showing its output, and the script with it", () => {
    const r = smoke("step 'expected unsafe' 1 bash -c 'echo why it passed; exit 0'\nstep 'fine' 0 true");
    expect(r.stdout).toMatch(/FAIL {2}expected unsafe: exit 0, expected 1/);
    expect(r.stdout).toMatch(/why it passed/);
    expect(r.last).toBe("1 passed, 1 failed");
    expect(r.code).toBe(1);
  });

  it("fails a live step that made no request to the fake AWS", () => {
    const dir = mkdtempSync(join(tmpdir(), "smoke-steps-"));
    writeFileSync(join(dir, "requests.log"), "sts:GetCallerIdentity\n");
    const r = smoke(
      `FAKE_AWS_DIR=${dir}\nlive_step 'offline by mistake' 0 true\nlive_step 'reached it' 0 bash -c 'echo ecs:ListClusters >> ${dir}/requests.log'`,
    );
    expect(r.stdout).toMatch(/FAIL {2}offline by mistake: made no request to the fake AWS/);
    expect(r.stdout).toMatch(/\(1 requests to the fake AWS\)/);
    expect(r.last).toBe("1 passed, 1 failed");
    expect(r.code).toBe(1);
  });
});
