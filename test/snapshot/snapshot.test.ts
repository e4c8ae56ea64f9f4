import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.ts";
import { readSnapshot, writeSnapshot } from "../../src/snapshot/index.ts";
import { err, facts, IN_ORGANIZATION, role, simulatedAction, withSimulation } from "../support/facts.ts";

const dir = mkdtempSync(join(tmpdir(), "snap-"));
const write = (name: string, content: string) => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};

describe("snapshot", () => {
  it("round-trips facts and writes the file readable by the owner only", async () => {
    const file = join(dir, "ok.json");
    writeFileSync(file, "old", { mode: 0o644 });
    const f = facts([role("infra")]);
    await writeSnapshot(file, f);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await readSnapshot(file)).toEqual(f);
  });

  it("reads the bundled demo account", async () => {
    const demo = await readSnapshot("fixtures/demo/account.json");
    expect(demo.roles.length).toBeGreaterThanOrEqual(4);
  });

  const good = () => JSON.parse(JSON.stringify(facts([role("infra")])));
  it.each<[string, (f: ReturnType<typeof good>) => unknown, RegExp]>([
    [
      "a missing role fact",
      (f) => {
        delete f.roles[0].role;
        return f;
      },
      /roles\[0\]: missing required property "role"/,
    ],
    [
      "ok: true without a value",
      (f) => {
        f.roles[0].role = { ok: true };
        return f;
      },
      /roles\[0\]\.role: missing required property "value"/,
    ],
    [
      "a fact error without its code",
      (f) => {
        f.caller = { ok: false, error: { api: "sts:GetCallerIdentity", message: "x" } };
        return f;
      },
      /caller\.error: missing required property "code"/,
    ],
    [
      "a wrong schemaVersion",
      (f) => {
        f.schemaVersion = 2;
        return f;
      },
      /schemaVersion: expected 1/,
    ],
    [
      "an unknown property",
      (f) => {
        f.roles[0].colour = "red";
        return f;
      },
      /roles\[0\]: unexpected property "colour"/,
    ],
    [
      "a role reference of an unknown kind",
      (f) => {
        f.roles[0].referencedBy = [{ kind: "lambda" }];
        return f;
      },
      /roles\[0\]\.referencedBy\[0\]\.kind: expected one of/,
    ],
    [
      "a bad collectedAt",
      (f) => {
        f.collectedAt = "yesterday";
        return f;
      },
      /collectedAt: expected an ISO 8601 date-time/,
    ],
    ["an array at the root", () => [], /\(root\): expected object/],
  ])("rejects %s with the file and JSON path", async (_name, mutate, message) => {
    const file = write("bad.json", JSON.stringify(mutate(good())));
    const read = readSnapshot(file);
    await expect(read).rejects.toBeInstanceOf(InputError);
    await expect(readSnapshot(file)).rejects.toThrow(message);
    await expect(readSnapshot(file)).rejects.toThrow(file);
  });

  it("round-trips EC2 volume facts and rejects a volume with a tag the schema does not keep", async () => {
    const volume = {
      volumeId: "vol-1",
      state: "available",
      createTime: "2026-11-01T00:00:00.000Z",
      size: 100,
      availabilityZone: "us-east-1a",
      tags: { AmazonECSManaged: "true", AmazonECSCreated: "arn:aws:ecs:us-east-1:111122223333:task/prod/t1" },
      attachments: [
        { associatedResource: "arn:aws:ecs:us-east-1:111122223333:task/prod/t1", state: "detached" },
      ],
    };
    const withVolumes = {
      ...facts([role("infra")]),
      ec2: { volumes: { ok: true as const, value: [volume] } },
    };
    const file = join(dir, "ec2.json");
    await writeSnapshot(file, withVolumes);
    expect(await readSnapshot(file)).toEqual(withVolumes);
    const extra = {
      ...withVolumes,
      ec2: { volumes: { ok: true, value: [{ ...volume, tags: { team: "x" } }] } },
    };
    await expect(readSnapshot(write("ec2-bad.json", JSON.stringify(extra)))).rejects.toThrow(
      /ec2\.volumes\.value\[0\]\.tags: unexpected property "team"/,
    );
  });

  it("round-trips a deploying user with its groups, and rejects a principal whose kind and fields disagree", async () => {
    const user = {
      kind: "user" as const,
      ref: "arn:aws:iam::111122223333:user/ci/dev",
      source: "caller" as const,
      arn: "arn:aws:iam::111122223333:user/ci/dev",
      name: "dev",
      path: "/ci/",
      inlinePolicies: {
        ok: true as const,
        value: [{ name: "p", document: { ok: true as const, value: {} } }],
      },
      attachedPolicies: { ok: true as const, value: [] },
      groups: {
        ok: true as const,
        value: [
          {
            name: "g",
            arn: "arn:aws:iam::111122223333:group/g",
            inlinePolicies: { ok: true as const, value: [] },
            attachedPolicies: {
              ok: false as const,
              error: { api: "iam:ListAttachedGroupPolicies", code: "AccessDenied", message: "no" },
            },
          },
        ],
      },
    };
    const withUser = { ...facts([role("infra")]), principal: { ok: true as const, value: user } };
    const file = join(dir, "principal.json");
    // An older version's one `principal` (here the caller it judged by default) reads as a one-element list.
    await writeSnapshot(file, withUser);
    const { principal: _legacy, ...rest } = withUser;
    expect(await readSnapshot(file)).toEqual({
      ...rest,
      principals: [{ ref: user.ref, origin: { kind: "caller" }, facts: { ok: true, value: user } }],
    });
    // Today's list round-trips as written, each principal with its origin.
    const listed = {
      ...rest,
      principals: [
        {
          ref: "arn:aws:iam::111122223333:role/deployer",
          origin: {
            kind: "created-by" as const,
            services: ["arn:aws:ecs:us-east-1:111122223333:service/prod/web"],
          },
          facts: { ok: false as const, error: { api: "iam:GetRole", code: "NoSuchEntity", message: "gone" } },
        },
        {
          ref: user.ref,
          origin: { kind: "flag" as const },
          facts: { ok: true as const, value: { ...user, source: "flag" as const } },
        },
      ],
    };
    const listFile = join(dir, "principals.json");
    await writeSnapshot(listFile, listed);
    expect(await readSnapshot(listFile)).toEqual(listed);
    const noServices = {
      ...listed,
      principals: [{ ...listed.principals[0], origin: { kind: "created-by" } }],
    };
    await expect(readSnapshot(write("principals-bad.json", JSON.stringify(noServices)))).rejects.toThrow(
      /principals\[0\]\.origin: missing required property "services"/,
    );
    const { groups: _groups, ...noGroups } = user;
    const bad = [
      [{ ...noGroups }, /principal\.value: missing required property "groups"/],
      [{ ...noGroups, kind: "role", groups: user.groups }, /principal\.value/],
      [
        { kind: "unsupported", ref: "arn:aws:iam::111122223333:root", source: "caller" },
        /principal\.value: missing required property "reason"/,
      ],
      [
        { kind: "unsupported", ref: "x", source: "caller", reason: "r", arn: "arn:aws:iam::1:root" },
        /principal\.value/,
      ],
    ] as const;
    for (const [value, message] of bad) {
      const text = JSON.stringify({ ...withUser, principal: { ok: true, value } });
      await expect(readSnapshot(write("principal-bad.json", text))).rejects.toThrow(message);
    }
  });

  it("rejects a file that is not JSON", async () => {
    const file = write("garbage.json", "{ not json");
    await expect(readSnapshot(file)).rejects.toThrow(/garbage\.json: not valid JSON/);
  });

  it("names a missing file", async () => {
    await expect(readSnapshot(join(dir, "nope.json"))).rejects.toThrow(
      /nope\.json: cannot read snapshot \(no such file\)/,
    );
  });

  it("keeps the demo fixture byte-stable (pretty JSON, trailing newline)", () => {
    const text = readFileSync("fixtures/demo/account.json", "utf8");
    expect(text.endsWith("}\n")).toBe(true);
  });
});

describe("snapshot: Organizations facts", () => {
  it("round-trips membership and per-use simulations, and rejects a simulation result without its decision", async () => {
    const simulated = withSimulation(
      role("infra"),
      "ebs",
      [
        simulatedAction("ec2:DeleteVolume", {
          evalDecision: "implicitDeny",
          allowedByOrganizations: false,
          matchedStatements: [],
        }),
      ],
      ["arn:aws:ec2:us-east-1:111122223333:volume/vol-*"],
    );
    const withOrg = facts(
      [withSimulation(simulated, "service-connect-tls", err("iam:SimulatePrincipalPolicy").error)],
      {
        organization: IN_ORGANIZATION,
      },
    );
    const file = join(dir, "org.json");
    await writeSnapshot(file, withOrg);
    expect(await readSnapshot(file)).toEqual(withOrg);
    const broken = JSON.parse(JSON.stringify(withOrg));
    delete broken.roles[0].simulations.ebs.value.calls[0].results[0].evalDecision;
    await expect(readSnapshot(write("org-bad.json", JSON.stringify(broken)))).rejects.toThrow(
      /roles\[0\]\.simulations\.ebs\.value\.calls\[0\]\.results\[0\]: missing required property "evalDecision"/,
    );
  });

  it("loads a snapshot from before Organizations were read (no organization, no simulations)", async () => {
    const old = JSON.parse(JSON.stringify(facts([role("infra")])));
    delete old.organization;
    const loaded = await readSnapshot(write("pre-org.json", JSON.stringify(old)));
    expect(loaded.organization).toBeUndefined();
    expect(loaded.roles[0]?.simulations).toBeUndefined();
  });
});
