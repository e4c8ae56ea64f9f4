import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyChanges } from "../../../src/changes/apply.ts";
import { terraformChanges } from "../../../src/changes/terraform/adapter.ts";
import { type Plan, parsePlan } from "../../../src/changes/terraform/parse.ts";
import { parsePlanText, readPlan } from "../../../src/changes/terraform/read.ts";
import { InputError } from "../../../src/errors.ts";
import type { Facts } from "../../../src/facts/types.ts";
import { facts, role, VOLUMES_POLICY_ARN } from "../../support/facts.ts";

const applyPlan = (f: Facts, p: Plan) => applyChanges(f, terraformChanges(p));

const FIXTURES = new URL("./fixtures/", import.meta.url);
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8"));
const parse = (raw: unknown): Plan => parsePlanText("plan.json", Buffer.from(JSON.stringify(raw)));
const today = () => facts([role("ecs-infra", { attached: [VOLUMES_POLICY_ARN] })]);

/** The one line `check --plan` prints for a file that is not a plan. */
function refusal(bytes: Uint8Array | string, file = "plan.json"): string {
  try {
    parsePlanText(file, typeof bytes === "string" ? Buffer.from(bytes) : bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toContain(file);
    return message;
  }
  throw new Error("expected the plan to be refused");
}

describe("reading a Terraform JSON plan: the variations real plans have", () => {
  it("reads a Terraform 1.9 plan (format 1.2) with every resource, no-op ones included", () => {
    const plan = parse(fixture("detach-managed-policy"));
    expect(plan).toMatchObject({ formatVersion: "1.2", terraformVersion: "1.9.8", errored: false });
    expect(plan.resourceChanges.map((c) => [c.address, c.actions])).toEqual([
      ["aws_ecs_service.api", ["no-op"]],
      ["aws_iam_role.infra", ["no-op"]],
      ["aws_iam_role_policy_attachment.volumes", ["delete"]],
    ]);
  });

  it('reads format "0.1" (Terraform 0.12): provider_name "aws", no *_sensitive, no errored/applyable/complete', () => {
    const raw = fixture("detach-managed-policy");
    raw.format_version = "0.1";
    raw.terraform_version = "0.12.31";
    for (const k of ["errored", "applyable", "complete", "timestamp", "relevant_attributes"]) delete raw[k];
    for (const rc of raw.resource_changes) {
      rc.provider_name = "aws";
      delete rc.change.before_sensitive;
      delete rc.change.after_sensitive;
    }
    const plan = parse(raw);
    expect(plan.errored).toBe(false);
    expect(applyPlan(today(), plan).roles[0]?.changes.map((c) => c.kind)).toEqual(["detach"]);
  });

  it.each(["0.2", "1.0", "1.1", "1.2"])("reads format %s", (v) => {
    expect(parse({ ...fixture("tags-only"), format_version: v }).formatVersion).toBe(v);
  });

  it("reads OpenTofu's provider names (registry.opentofu.org/hashicorp/aws)", () => {
    const raw = fixture("detach-managed-policy");
    for (const rc of raw.resource_changes) rc.provider_name = "registry.opentofu.org/hashicorp/aws";
    const after = applyPlan(today(), parse(raw)).roles[0]?.after;
    expect(after?.state === "exists" && after.role.attachedPolicies).toEqual({ ok: true, value: [] });
  });

  it("reads deposed entries that repeat an address, and resource_drift entries without an address", () => {
    const raw = fixture("tags-only");
    const role = raw.resource_changes.find((c: { type: string }) => c.type === "aws_iam_role");
    raw.resource_changes.push({
      ...role,
      deposed: "00000001",
      change: { ...role.change, actions: ["delete"], after: null, after_unknown: {} },
    });
    // Terraform ≥ 1.x lists refresh-only drift here; such an entry need not carry an address.
    raw.resource_drift = [
      { mode: "managed", type: "aws_iam_role", name: "infra", change: { actions: ["update"] } },
    ];
    const plan = parse(raw);
    expect(
      plan.resourceChanges.filter((c) => c.address === "aws_iam_role.infra").map((c) => c.deposed),
    ).toEqual([undefined, "00000001"]);
  });

  it("ignores top-level and per-change keys it does not need (identities, output_changes, checks, provider_schemas)", () => {
    const raw = {
      ...fixture("tags-only"),
      output_changes: { arn: { actions: ["no-op"], before: "x", after: "x", after_unknown: false } },
      checks: [],
      provider_schemas: {},
      deferred_changes: [],
    };
    for (const rc of raw.resource_changes) {
      rc.change.before_identity = { account_id: "111122223333", name: "ecs-infra" };
      rc.change.after_identity = { account_id: "111122223333", name: "ecs-infra" };
      if (rc.change.after) rc.change.after.region = "us-east-1"; // AWS provider v6
    }
    expect(applyPlan(today(), parse(raw)).roles[0]?.changes.map((c) => c.kind)).toEqual(["tags"]);
  });

  it('keeps for_each string indexes in the address (module.ecs.x.this["volumes"])', () => {
    const plan = parse(fixture("module-nested"));
    const rc = plan.resourceChanges.find((c) => c.type === "aws_iam_role_policy_attachment");
    expect(rc).toMatchObject({
      address: 'module.ecs.aws_iam_role_policy_attachment.this["volumes"]',
      moduleAddress: "module.ecs",
      index: "volumes",
    });
  });

  it("reads a policy written as heredoc text (indented JSON with a trailing newline)", () => {
    const raw = fixture("inline-deny-delete-volume");
    const rc = raw.resource_changes.find((c: { type: string }) => c.type === "aws_iam_role_policy");
    rc.change.after.policy = `{\n    "Version": "2012-10-17",\n    "Statement": [\n      {"Effect": "Deny", "Action": "ec2:DeleteVolume", "Resource": "*"}\n    ]\n}\n`;
    const after = applyPlan(today(), parse(raw)).roles[0]?.after;
    const inline =
      after?.state === "exists" && after.role.inlinePolicies.ok ? after.role.inlinePolicies.value : [];
    expect(inline[0]?.document).toMatchObject({ ok: true, value: { Statement: [{ Effect: "Deny" }] } });
  });

  it('turns a policy string "" into an unreadable document (never an empty grant)', () => {
    const raw = fixture("inline-deny-delete-volume");
    const rc = raw.resource_changes.find((c: { type: string }) => c.type === "aws_iam_role_policy");
    rc.change.after.policy = "";
    const after = applyPlan(today(), parse(raw)).roles[0]?.after;
    const inline =
      after?.state === "exists" && after.role.inlinePolicies.ok ? after.role.inlinePolicies.value : [];
    expect(inline[0]?.document).toMatchObject({ ok: false, error: { code: "MalformedPolicyDocument" } });
  });

  it("reads one minified line with Go's \\u003c \\u003e \\u0026 escapes", () => {
    const raw = fixture("tags-only");
    raw.resource_changes[1].change.after.description = "a <b> & c";
    const text = JSON.stringify(raw)
      .replace(/</g, "\\u003c")
      .replace(/>/g, "\\u003e")
      .replace(/&/g, "\\u0026");
    expect(text).not.toContain("<");
    const plan = parsePlanText("plan.json", Buffer.from(text));
    expect(plan.resourceChanges[1]?.after?.description).toBe("a <b> & c");
  });

  it("reads UTF-16LE with a byte-order mark (Windows PowerShell's >) and UTF-8 with a BOM", () => {
    const text = JSON.stringify(fixture("tags-only"), null, 2);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    expect(parsePlanText("plan.json", utf16).resourceChanges).toHaveLength(3);
    const utf8bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    expect(parsePlanText("plan.json", utf8bom).resourceChanges).toHaveLength(3);
  });

  it("reads a plan with no changes (no resource_changes key) and an errored plan", () => {
    const { resource_changes: _, ...raw } = fixture("tags-only");
    expect(parse(raw).resourceChanges).toEqual([]);
    expect(parse({ ...fixture("tags-only"), errored: true, applyable: false, complete: false }).errored).toBe(
      true,
    );
  });

  it("reads a file from disk", async () => {
    const plan = await readPlan(new URL("delete-role.json", FIXTURES).pathname);
    expect(plan.resourceChanges).toHaveLength(3);
  });
});

describe("refusing what is not a Terraform JSON plan (one line naming the file and what to run)", () => {
  it("a binary plan file (a zip archive starting PK)", () => {
    expect(refusal(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]), "tfplan")).toMatch(
      /^--plan tfplan: this is a binary plan file .*terraform show -json tfplan > plan\.json$/,
    );
  });

  it("JSON Lines of `terraform plan -json` UI messages", () => {
    const lines = [
      {
        "@level": "info",
        "@message": "Terraform 1.9.8",
        "@module": "terraform.ui",
        type: "version",
        terraform: "1.9.8",
      },
      { "@level": "info", "@message": "aws_iam_role.infra: Plan to delete", type: "planned_change" },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");
    expect(refusal(lines)).toMatch(/terraform plan -json.*not a plan.*terraform show -json/);
    expect(refusal(JSON.stringify({ "@level": "info", "@message": "x", type: "version" }))).toMatch(
      /UI message/,
    );
  });

  it("JSON that is not a plan, and a state (terraform show -json without a plan file)", () => {
    expect(refusal('{"resources": []}')).toMatch(/no format_version, not a Terraform JSON plan/);
    expect(refusal('[{"format_version": "1.2"}]')).toMatch(/not an object/);
    expect(
      refusal(
        JSON.stringify({ format_version: "1.0", terraform_version: "1.9.8", values: { root_module: {} } }),
      ),
    ).toMatch(/this is a state/);
  });

  it("a format_version this tool does not read", () => {
    expect(refusal(JSON.stringify({ ...fixture("tags-only"), format_version: "2.0" }))).toMatch(
      /format_version "2\.0" is not one this tool reads \(0\.1, 0\.2, 1\.0, 1\.1, 1\.2\)/,
    );
  });

  it("text that is not JSON, an empty file, a missing file", async () => {
    expect(refusal("Terraform will perform the following actions:")).toMatch(/not valid JSON/);
    expect(refusal("")).toMatch(/empty/);
    const dir = mkdtempSync(join(tmpdir(), "plan-"));
    await expect(readPlan(join(dir, "nope.json"))).rejects.toThrow(
      /nope\.json: cannot read the plan \(no such file\)/,
    );
    writeFileSync(join(dir, "ok.json"), JSON.stringify(fixture("tags-only")));
    await expect(readPlan(join(dir, "ok.json"))).resolves.toMatchObject({ formatVersion: "1.2" });
  });

  it("a resource change without the fields the gate needs names the field", () => {
    const raw = fixture("tags-only");
    raw.resource_changes[1].change.actions = "delete";
    expect(refusal(JSON.stringify(raw))).toMatch(/resource_changes\[1\]\.change\.actions: expected an array/);
    // An action jsonplan does not write (a newer or altered plan) is not judged as if it changed nothing.
    raw.resource_changes[1].change.actions = ["obliterate"];
    expect(refusal(JSON.stringify(raw))).toMatch(
      /resource_changes\[1\]\.change\.actions: expected Terraform's action names .*got "obliterate"/,
    );
    expect(() => parsePlan({ ...fixture("tags-only"), resource_changes: {} }, "p.json")).toThrow(
      /resource_changes: expected an array/,
    );
  });
});
