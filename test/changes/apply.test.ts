import { describe, expect, it } from "vitest";
import { applyChanges, plannedPolicyArns, plannedRoleNames } from "../../src/changes/apply.ts";
import { type ChangeList, type RoleEffect, type RoleTouch, UNKNOWN } from "../../src/changes/model.ts";
import { KNOWN_AFTER_APPLY, type PlannedChange, type PlannedRole } from "../../src/facts/types.ts";
import { ACCOUNT, ECS_TRUST, facts, policy, role, VOLUMES_POLICY_ARN } from "../support/facts.ts";

/**
 * The one apply, fed the change model directly (no source format): each row a list of effects on ecs-infra and
 * what the role is once they have run.
 */

const CUSTOM = `arn:aws:iam::${ACCOUNT}:policy/custom`;
const GRANT = policy({ Effect: "Allow", Action: "ec2:*", Resource: "*" });
const today = () =>
  facts([role("ecs-infra", { attached: [VOLUMES_POLICY_ARN, CUSTOM], inline: { volumes: GRANT } })]);

const ok = <T>(value: T) => ({ ok: true as const, value });
const later = (message: string) => ({
  ok: false as const,
  error: { api: "test", code: KNOWN_AFTER_APPLY, message },
});

function change(address: string, kind: PlannedChange["kind"]): PlannedChange {
  return {
    address,
    location: { format: "terraform", address },
    type: "test",
    actions: ["update"],
    kind,
    summary: kind,
  };
}

function touch(address: string, effect: RoleEffect | undefined, extra: Partial<RoleTouch> = {}): RoleTouch {
  const kind: PlannedChange["kind"] =
    effect?.kind === "define-role"
      ? effect.fresh
        ? "create-role"
        : "trust"
      : ((effect?.kind as PlannedChange["kind"]) ?? "other");
  return { role: "ecs-infra", change: change(address, kind), ...(effect ? { effect } : {}), ...extra };
}

function list(touches: RoleTouch[], more: Partial<ChangeList> = {}): ChangeList {
  return {
    source: { format: "terraform", file: "t.json", formatVersion: "1.2" },
    api: "test",
    touches,
    policies: [],
    reach: [],
    deletedServices: [],
    ...more,
  };
}

const planned = (touches: RoleTouch[], more: Partial<ChangeList> = {}): PlannedRole => {
  const r = applyChanges(today(), list(touches, more)).roles[0];
  if (!r) throw new Error("no planned role");
  return r;
};
const exists = (r: PlannedRole) => {
  if (r.after.state !== "exists") throw new Error(`expected exists, got ${r.after.state}`);
  return r.after.role;
};
const arns = (r: PlannedRole) => {
  const a = exists(r).attachedPolicies;
  return a.ok ? a.value.map((p) => p.arn).sort() : a.error.code;
};
const inline = (r: PlannedRole) => {
  const i = exists(r).inlinePolicies;
  return i.ok ? i.value.map((p) => p.name).sort() : i.error.code;
};

const fresh = (attached?: string[]): RoleEffect => ({
  kind: "define-role",
  fresh: true,
  definition: { trust: ok(ECS_TRUST), boundary: ok(null), ...(attached ? { attached: ok(attached) } : {}) },
});

describe("applying the change model to today's facts", () => {
  const rows: { name: string; touches: RoleTouch[]; expect: (r: PlannedRole) => void }[] = [
    {
      name: "delete-role leaves the role deleted",
      touches: [touch("a", { kind: "delete-role" })],
      expect: (r) => expect(r.after.state).toBe("deleted"),
    },
    {
      name: "a fresh definition keeps none of today's attachments or inline policies, only what it is given",
      touches: [touch("a", fresh([CUSTOM]))],
      expect: (r) => {
        expect(arns(r)).toEqual([CUSTOM]);
        expect(inline(r)).toEqual([]);
        expect(exists(r).role).toMatchObject({ ok: true, value: { roleId: "(known after apply)" } });
      },
    },
    {
      name: "a delete and a fresh definition of the same name by two changes: the created one exists afterwards",
      touches: [touch("a", { kind: "delete-role" }), touch("b", fresh())],
      expect: (r) => expect(r.after.state).toBe("exists"),
    },
    {
      name: "an update's trust and boundary replace today's; one it leaves out stays",
      touches: [touch("a", { kind: "define-role", fresh: false, definition: { boundary: ok(CUSTOM) } })],
      expect: (r) =>
        expect(exists(r).role).toMatchObject({
          ok: true,
          value: { permissionsBoundaryArn: CUSTOM, trustPolicy: { ok: true } },
        }),
    },
    {
      name: "detach, then an attach of the same policy by another change: the detach may run last, so it stays detached",
      touches: [
        touch("a", { kind: "detach", policyArn: ok(VOLUMES_POLICY_ARN) }),
        touch("b", { kind: "attach", policy: { arn: ok(VOLUMES_POLICY_ARN) } }),
      ],
      expect: (r) => expect(arns(r)).toEqual([CUSTOM]),
    },
    {
      name: "detach and attach by the same change in that order (delete, then create) re-attaches",
      touches: [
        touch("a", { kind: "detach", policyArn: ok(VOLUMES_POLICY_ARN) }),
        touch("a", { kind: "attach", policy: { arn: ok(VOLUMES_POLICY_ARN) } }),
      ],
      expect: (r) => expect(arns(r)).toEqual([CUSTOM, VOLUMES_POLICY_ARN].sort()),
    },
    {
      name: "the same change creating first (create_before_destroy, a CloudFormation replacement) deletes last",
      touches: [
        touch("a", { kind: "detach", policyArn: ok(VOLUMES_POLICY_ARN) }),
        touch("a", { kind: "attach", policy: { arn: ok(VOLUMES_POLICY_ARN) } }, { createsFirst: true }),
      ],
      expect: (r) => expect(arns(r)).toEqual([CUSTOM]),
    },
    {
      name: "a detach of a policy known only after the change leaves the attachments unknown",
      touches: [
        touch("a", { kind: "detach", policyArn: later("a: the detached policy is known only after apply") }),
      ],
      expect: (r) => expect(arns(r)).toBe(KNOWN_AFTER_APPLY),
    },
    {
      name: "put-inline and delete-inline by name",
      touches: [
        touch("a", { kind: "delete-inline", name: "volumes" }),
        touch("b", { kind: "put-inline", name: "guard", document: ok(GRANT) }),
      ],
      expect: (r) => expect(inline(r)).toEqual(["guard"]),
    },
    {
      name: "the exclusive lists run last: only-attached drops what another change attached",
      touches: [
        touch("a", { kind: "only-attached", policyArns: ok([CUSTOM]) }),
        touch("b", { kind: "attach", policy: { arn: ok(`arn:aws:iam::${ACCOUNT}:policy/new`) } }),
      ],
      expect: (r) => expect(arns(r)).toEqual([CUSTOM]),
    },
    {
      name: "only-inline keeps the names it lists",
      touches: [touch("a", { kind: "only-inline", policyNames: ok([]) })],
      expect: (r) => expect(inline(r)).toEqual([]),
    },
    {
      name: "a change the source does not describe leaves the after-state unknown, with its reason",
      touches: [touch("a", { kind: "undescribed", reason: "described without values" })],
      expect: (r) => expect(r.after).toEqual({ state: "unknown", reason: "described without values" }),
    },
  ];
  it.each(rows)("$name", ({ touches, expect: check }) => check(planned(touches)));

  it("an attach known only after the change files a placeholder holding the error; one with a document holds the document", () => {
    const unknown = applyChanges(
      today(),
      list([
        touch("x", { kind: "attach", policy: { arn: later("x.policy_arn is known only after apply") } }),
      ]),
    );
    const [placeholder] = Object.keys(unknown.managedPolicies);
    expect(placeholder).toMatch(/^arn:ecs-preflight:changes:::known-after-apply\/x$/);
    expect(unknown.managedPolicies[placeholder as string]).toMatchObject({
      ok: false,
      error: { code: KNOWN_AFTER_APPLY },
    });
    const withDocument = applyChanges(
      today(),
      list([
        touch("y", {
          kind: "attach",
          policy: { arn: later("y is named when it runs"), document: ok(GRANT) },
        }),
      ]),
    );
    expect(Object.values(withDocument.managedPolicies)).toMatchObject([
      { ok: true, value: { document: { ok: true, value: GRANT } } },
    ]);
  });

  it("a boundary known only after the change is a placeholder policy that is unknown", () => {
    const r = applyChanges(
      today(),
      list([
        touch("r", {
          kind: "define-role",
          fresh: false,
          definition: { boundary: later("r.permissions_boundary is known only after apply") },
        }),
      ]),
    );
    const boundary = (exists(r.roles[0] as PlannedRole).role as { value: { permissionsBoundaryArn: string } })
      .value.permissionsBoundaryArn;
    expect(r.managedPolicies[boundary]).toMatchObject({ ok: false, error: { code: KNOWN_AFTER_APPLY } });
  });

  it("a role the facts do not include is unknown unless the change defines it whole", () => {
    const other = (effect: RoleEffect) =>
      applyChanges(today(), list([{ ...touch("a", effect), role: "elsewhere" }])).roles[0]?.after;
    expect(other({ kind: "detach", policyArn: ok(CUSTOM) })).toMatchObject({
      state: "unknown",
      reason: expect.stringMatching(/do not include role elsewhere/),
    });
    expect(other(fresh())).toMatchObject({ state: "exists" });
  });

  it("a change to a role named only after it runs is unattributed", () => {
    const p = applyChanges(
      today(),
      list([{ ...touch("u", { kind: "attach", policy: { arn: ok(CUSTOM) } }), role: UNKNOWN }]),
    );
    expect(p.roles).toEqual([]);
    expect(p.unattributed.map((c) => c.address)).toEqual(["u"]);
  });

  it("names what to collect: the roles touched (not the ones created), and the policies attached by ARN", () => {
    const l = list([
      touch("a", { kind: "attach", policy: { arn: ok(CUSTOM) } }),
      { ...touch("b", fresh([VOLUMES_POLICY_ARN])), role: "brand-new" },
      touch("c", { kind: "attach", policy: { arn: later("c"), document: ok(GRANT) } }),
    ]);
    expect(plannedRoleNames(l)).toEqual(["ecs-infra"]);
    expect(plannedPolicyArns(l)).toEqual([CUSTOM, VOLUMES_POLICY_ARN].sort());
  });

  it("a new default version reaches the roles it is attached to today and the ones the source names", () => {
    const p = applyChanges(
      today(),
      list([], {
        policies: [{ arn: CUSTOM, change: change("p", "policy-document"), document: ok(GRANT) }],
        reach: [{ policyArn: CUSTOM, role: "Batch-Infra" }],
      }),
    );
    expect(p.roles.map((r) => [r.name, r.changes.map((c) => c.kind)])).toEqual([
      ["batch-infra", ["policy-document"]],
      ["ecs-infra", ["policy-document"]],
    ]);
  });
});
