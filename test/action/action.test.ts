import { spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { Report } from "../../src/report/types.ts";
import { change, changeSet, roleProps } from "../changes/cloudformation/change-sets.ts";
import {
  ACCOUNT_ID,
  awsManagedVolumesPolicy,
  ebsService,
  ebsTask,
  infrastructureRole,
  roleArnOf,
} from "../fake-aws/builders.ts";
import { type FakeAws, startFakeAws } from "../fake-aws/server.ts";

/**
 * action.yml run as the GitHub runner runs a composite action: each `run:` step in bash (`bash --noprofile --norc
 * -eo pipefail`, as `shell: bash` does), with its `env:` expressions evaluated (inputs, defaults, github.action_path),
 * GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and the workspace as the working directory, against the fake AWS.
 */

const REPO = join(import.meta.dirname, "../..");

interface ActionStep {
  name: string;
  id?: string;
  shell?: string;
  env?: Record<string, string>;
  run?: string;
  uses?: string;
}
interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const action = parse(readFileSync(join(REPO, "action.yml"), "utf8")) as Action;

/** Evaluates the expressions the action uses: `${{ inputs.x }}`, `${{ github.action_path }}`, step outputs. */
function expand(
  text: string,
  context: {
    inputs: Record<string, string>;
    actionPath: string;
    steps: Record<string, Record<string, string>>;
  },
): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    let m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (m) {
      const name = m[1] as string;
      if (!(name in action.inputs)) throw new Error(`action.yml uses an undeclared input: ${name}`);
      return context.inputs[name] ?? action.inputs[name]?.default ?? "";
    }
    if (expr === "github.action_path") return context.actionPath;
    m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr);
    if (m) return context.steps[m[1] as string]?.[m[2] as string] ?? "";
    throw new Error(`an expression the test does not evaluate: ${expr}`);
  });
}

/** GITHUB_OUTPUT's two forms: name=value lines and name<<DELIMITER heredocs. */
function readOutputs(file: string): Record<string, string> {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] as string, i + 1);
      out[heredoc[1] as string] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return out;
}

function bash(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      env,
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    child.stdout.on("data", (d) => {
      log += d;
    });
    child.stderr.on("data", (d) => {
      log += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, log }));
  });
}

interface ActionRun {
  /** The exit code of the step that failed, or 0. */
  code: number;
  outputs: Record<string, string>;
  summary: string;
  log: string;
  workspace: string;
}

/** Runs the action's steps in order, as the runner does: the first step that fails ends the job's action. */
async function runAction(
  inputs: Record<string, string>,
  options: { env?: Record<string, string>; actionPath?: string; workspace?: string } = {},
): Promise<ActionRun> {
  const workspace = options.workspace ?? mkdtempSync(join(tmpdir(), "action-ws-"));
  const runnerTemp = join(workspace, "_temp");
  mkdirSync(runnerTemp);
  const summaryFile = join(runnerTemp, "step_summary");
  writeFileSync(summaryFile, "");
  const steps: Record<string, Record<string, string>> = {};
  const context = { inputs, actionPath: options.actionPath ?? REPO, steps };
  let log = "";
  let code = 0;
  for (const step of action.runs.steps) {
    if (!step.run) throw new Error(`step ${step.name}: only run steps are expected`);
    const outputFile = join(runnerTemp, `output_${step.id ?? step.name.replace(/\W/g, "_")}`);
    writeFileSync(outputFile, "");
    const stepEnv = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v), context)]),
    );
    const result = await bash(
      step.run,
      {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...options.env,
        GITHUB_ACTIONS: "true",
        GITHUB_WORKSPACE: workspace,
        GITHUB_ACTION_PATH: context.actionPath,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_RUN_ID: "4242",
        GITHUB_RUN_ATTEMPT: "1",
        RUNNER_TEMP: runnerTemp,
        ...stepEnv,
      },
      workspace,
    );
    log += result.log;
    if (step.id) steps[step.id] = readOutputs(outputFile);
    if (result.code !== 0) {
      code = result.code;
      break;
    }
  }
  const outputs = Object.fromEntries(
    Object.entries(action.outputs).map(([name, o]) => [name, expand(o.value, context)]),
  );
  return { code, outputs, summary: readFileSync(summaryFile, "utf8"), log, workspace };
}

const BAD = roleArnOf("bad-role");
const GOOD = roleArnOf("good-role");
let fake: FakeAws;

beforeAll(async () => {
  fake = await startFakeAws({
    accountId: ACCOUNT_ID,
    roles: [
      infrastructureRole({ name: "good-role" }),
      infrastructureRole({
        name: "bad-role",
        trustPolicy: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
      }),
    ],
    managedPolicies: [awsManagedVolumesPolicy()],
    clusters: [
      {
        name: "prod",
        services: [ebsService({ name: "api", roleArn: BAD })],
        tasks: [ebsTask({ id: "api1", roleArn: BAD, service: "api", volumeId: "vol-0api1" })],
      },
      {
        name: "staging",
        services: [ebsService({ name: "web", roleArn: GOOD })],
        tasks: [ebsTask({ id: "web1", roleArn: GOOD, service: "web", volumeId: "vol-0web1" })],
      },
    ],
    // A CDK app's change set that removes good-role, which staging's running task uses.
    cloudformation: {
      stacks: [{ name: "app" }],
      changeSets: [
        {
          name: "preflight",
          stack: "app",
          changes: changeSet([
            change({
              action: "Remove",
              logicalId: "GoodRole",
              physicalId: "good-role",
              type: "AWS::IAM::Role",
              before: roleProps({ RoleName: "good-role" }),
            }),
          ]).Changes as object[],
        },
      ],
    },
  });
});
afterAll(() => fake.close());

const awsEnv = () => ({ ...fake.env(), ECS_PREFLIGHT_LOG_LEVEL: "warn" });

describe("action.yml", () => {
  it("is a composite action of bash run steps that take every input through env:, never inline", () => {
    expect(action.runs.using).toBe("composite");
    for (const step of action.runs.steps) {
      expect(step.shell, step.name).toBe("bash");
      expect(step.run, step.name).not.toMatch(/\$\{\{/);
    }
    const used = action.runs.steps.flatMap((s) =>
      Object.values(s.env ?? {}).flatMap((v) =>
        [...String(v).matchAll(/inputs\.([\w-]+)/g)].map((m) => m[1]),
      ),
    );
    for (const input of [
      "cluster",
      "service",
      "role",
      "plan",
      "change-set",
      "stack",
      "region",
      "config",
      "fail-on",
      "sarif",
      "junit",
    ]) {
      expect(Object.keys(action.inputs)).toContain(input);
      expect(used).toContain(input);
    }
    expect(Object.keys(action.outputs).sort()).toEqual([
      "exit-code",
      "junit",
      "markdown",
      "report",
      "sarif",
      "verdict",
    ]);
  });

  it("fails the step on an unsafe account: verdict fail, exit 1, summary, SARIF and JUnit written", async () => {
    const before = fake.requests.length;
    const run = await runAction(
      { cluster: "prod", sarif: "results/ecs-preflight.sarif", junit: "ecs-preflight.xml" },
      { env: awsEnv() },
    );
    expect(run.code, run.log).toBe(1);
    expect(run.outputs.verdict).toBe("fail");
    expect(run.outputs["exit-code"]).toBe("1");
    expect(run.log).toMatch(/::error title=ecs-preflight::verdict fail \(exit 1\)/);
    // The text report in the step's log, the Markdown one in the job summary.
    expect(run.log).toMatch(/^FAIL {2}ecs-preflight: NOT safe to stop tasks/m);
    expect(run.summary).toMatch(/^## ❌ ecs-preflight: FAIL/);
    expect(run.summary).toContain("trust-policy");
    const report = JSON.parse(readFileSync(run.outputs.report ?? "", "utf8")) as Report;
    expect(report.scope.clusters).toEqual(["prod"]);
    expect(readFileSync(run.outputs.markdown ?? "", "utf8")).toBe(run.summary);
    expect(run.outputs.sarif).toBe("results/ecs-preflight.sarif");
    const sarif = JSON.parse(readFileSync(join(run.workspace, "results/ecs-preflight.sarif"), "utf8"));
    expect(sarif.runs[0].results.filter((r: { level: string }) => r.level === "error")).toHaveLength(
      report.summary.fail,
    );
    const junit = readFileSync(join(run.workspace, "ecs-preflight.xml"), "utf8");
    expect(junit.match(/<failure /g)).toHaveLength(report.summary.fail);
    // One check: the reports came from one set of AWS calls.
    expect(fake.requests.slice(before).filter((r) => r.action === "GetCallerIdentity")).toHaveLength(1);
  });

  it("passes on a safe scope: verdict pass, exit 0, no SARIF output when none was asked for", async () => {
    const run = await runAction({ cluster: "staging", "fail-on": "warn" }, { env: awsEnv() });
    expect(run.code, run.log).toBe(0);
    expect(run.outputs).toMatchObject({ verdict: "pass", "exit-code": "0", sarif: "", junit: "" });
    expect(run.summary).toMatch(/^## ✅ ecs-preflight: PASS/);
  });

  it("takes lists separated by commas and newlines, and region and extra args", async () => {
    const run = await runAction(
      { cluster: "staging,\n prod \n", region: "us-east-1", format: "json", args: "--stuck-after 30m" },
      { env: awsEnv() },
    );
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(run.outputs.report ?? "", "utf8")) as Report;
    expect(report.scope.clusters).toEqual(["staging", "prod"]);
    expect(report.region).toBe("us-east-1");
  });

  it("treats an input as data: shell in a role name runs nothing and reaches the CLI as it was written", async () => {
    const evil = 'x"; touch pwned; echo "$(touch pwned2)';
    const run = await runAction({ role: evil, format: "json" }, { env: awsEnv() });
    expect(existsSync(join(run.workspace, "pwned"))).toBe(false);
    expect(existsSync(join(run.workspace, "pwned2"))).toBe(false);
    const report = JSON.parse(readFileSync(run.outputs.report ?? "", "utf8")) as Report;
    expect(report.scope.roles).toEqual([evil]);
  });

  it("points SARIF results at the config file, by its path in the repository", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "action-ws-"));
    mkdirSync(join(workspace, "deploy"));
    writeFileSync(join(workspace, "deploy/ecs-preflight.json"), JSON.stringify({ failOn: "fail" }));
    const run = await runAction(
      { cluster: "prod", config: "deploy/ecs-preflight.json", sarif: "x.sarif" },
      { env: awsEnv(), workspace },
    );
    expect(run.code, run.log).toBe(1);
    const sarif = JSON.parse(readFileSync(join(workspace, "x.sarif"), "utf8"));
    const uris = sarif.runs[0].results.map(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri,
    );
    expect(uris.length).toBeGreaterThan(0);
    expect(new Set(uris)).toEqual(new Set(["deploy/ecs-preflight.json"]));
  });

  it("gates a Terraform plan (plan: plan.json): a role in use deleted fails, and SARIF points at the plan", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "action-ws-"));
    // The plan fixture deletes role ecs-infra; here it deletes good-role, which staging's running task uses.
    const plan = readFileSync(
      join(REPO, "test/changes/terraform/fixtures/delete-role.json"),
      "utf8",
    ).replaceAll("ecs-infra", "good-role");
    mkdirSync(join(workspace, "infra"));
    writeFileSync(join(workspace, "infra/plan.json"), plan);
    const run = await runAction({ plan: "infra/plan.json", sarif: "x.sarif" }, { env: awsEnv(), workspace });
    expect(run.code, run.log).toBe(1);
    const report = JSON.parse(readFileSync(run.outputs.report ?? "", "utf8")) as Report;
    expect(report.findings.filter((f) => f.rule === "planned-role-changes").map((f) => f.status)).toContain(
      "fail",
    );
    const sarif = JSON.parse(readFileSync(join(workspace, "x.sarif"), "utf8"));
    const uris = new Set(
      sarif.runs[0].results.map(
        (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
          r.locations[0]?.physicalLocation.artifactLocation.uri,
      ),
    );
    expect(uris).toEqual(new Set(["infra/plan.json"]));
  });

  it("gates a CloudFormation change set (change-set: preflight, stack: app): the role in use removed fails", async () => {
    const run = await runAction({ "change-set": "preflight", stack: "app" }, { env: awsEnv() });
    expect(run.code, run.log).toBe(1);
    const report = JSON.parse(readFileSync(run.outputs.report ?? "", "utf8")) as Report;
    expect(report.findings.find((f) => f.rule === "planned-role-changes")).toMatchObject({
      status: "fail",
      resource: GOOD,
      message: expect.stringMatching(/app\/GoodRole deletes the role/),
    });
    expect(run.summary).toMatch(/planned-role-changes/);
  });

  it("says a usage error as verdict error and exit 2, with no report", async () => {
    const run = await runAction({ "fail-on": "never" }, { env: awsEnv() });
    expect(run.code).toBe(2);
    expect(run.outputs).toMatchObject({ verdict: "error", "exit-code": "2", report: "" });
    expect(run.summary).toBe("");
  });

  it("builds the bundle with npm ci when the action's checkout has no dist/", async () => {
    const checkout = mkdtempSync(join(tmpdir(), "action-path-"));
    for (const f of ["action.yml", "package.json", "package-lock.json"])
      cpSync(join(REPO, f), join(checkout, f));
    // A stand-in npm that records how it was called and builds what `npm ci` + `prepare` would.
    const bin = join(checkout, "_bin");
    mkdirSync(bin);
    const npm = join(bin, "npm");
    writeFileSync(
      npm,
      `#!/bin/sh\necho "$PWD $*" >> "${join(checkout, "npm-calls")}"\nmkdir -p dist && cp "${join(REPO, "dist")}"/*.mjs dist/ && cp -r "${join(REPO, "dist/chunks")}" dist/\n`,
    );
    chmodSync(npm, 0o755);
    const run = await runAction(
      { cluster: "staging" },
      { env: { ...awsEnv(), PATH: `${bin}:${process.env.PATH}` }, actionPath: checkout },
    );
    expect(run.code, run.log).toBe(0);
    expect(readFileSync(join(checkout, "npm-calls"), "utf8").trim().split("\n")).toEqual([
      `${checkout} ci --no-audit --no-fund --loglevel=error`,
    ]);
    // Built once: the next run finds dist/ and installs nothing.
    const again = await runAction(
      { cluster: "staging" },
      { env: { ...awsEnv(), PATH: `${bin}:${process.env.PATH}` }, actionPath: checkout },
    );
    expect(again.code).toBe(0);
    expect(readFileSync(join(checkout, "npm-calls"), "utf8").trim().split("\n")).toHaveLength(1);
  });

  it("reads args over several lines (a YAML block): none after the first line is dropped", async () => {
    const run = await runAction(
      { cluster: "staging", format: "json", args: "--stuck-after 30m\n--cluster prod\n" },
      { env: awsEnv() },
    );
    const report = JSON.parse(readFileSync(run.outputs.report ?? "", "utf8")) as Report;
    expect(report.scope.clusters).toEqual(["staging", "prod"]);
    expect(run.code).toBe(1);
  });

  it("never leaves an earlier SARIF or JUnit file in place of this run's: a usage error has no report", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "action-ws-"));
    // A report from an earlier step (or one committed by mistake) at the paths this run was asked to write.
    writeFileSync(join(workspace, "x.sarif"), '{"version":"2.1.0","runs":[{"results":[]}]}');
    writeFileSync(join(workspace, "x.xml"), "<testsuites/>");
    const run = await runAction(
      { cluster: "prod", sarif: "x.sarif", junit: "x.xml", "fail-on": "never" },
      { env: awsEnv(), workspace },
    );
    expect(run.code).toBe(2);
    expect(run.outputs).toMatchObject({ verdict: "error", sarif: "", junit: "" });
    expect(existsSync(join(workspace, "x.sarif"))).toBe(false);
    expect(existsSync(join(workspace, "x.xml"))).toBe(false);
  });
});
