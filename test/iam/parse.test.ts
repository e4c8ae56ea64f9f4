import { describe, expect, it } from "vitest";
import { decodePolicyDocument, type PolicySource, parsePolicy, readPolicy } from "../../src/iam/index.ts";

const inline: PolicySource = { kind: "inline", name: "p" };
const trust: PolicySource = { kind: "trust", name: "trust policy" };
const ok = { Effect: "Allow", Action: "ec2:DeleteVolume", Resource: "*" };
const doc = (...statements: unknown[]) => ({ Version: "2012-10-17", Statement: statements });

describe("parsePolicy: malformed documents", () => {
  const rows: { name: string; doc: unknown; source?: PolicySource; path: string; message: RegExp }[] = [
    {
      name: "Statement missing",
      doc: { Version: "2012-10-17" },
      path: "Statement",
      message: /Statement is required/,
    },
    {
      name: "Effect in lower case",
      doc: doc({ ...ok, Effect: "allow" }),
      path: "Statement[0].Effect",
      message: /expected "Allow" or "Deny" \(exactly, case-sensitive\), got "allow"/,
    },
    {
      name: "Effect missing",
      doc: doc({ Action: "a:b", Resource: "*" }),
      path: "Statement[0].Effect",
      message: /required/,
    },
    {
      name: "both Action and NotAction",
      doc: doc({ ...ok, NotAction: "iam:*" }),
      path: "Statement[0]",
      message: /has both Action and NotAction/,
    },
    {
      name: "neither Action nor NotAction",
      doc: doc({ Effect: "Allow", Resource: "*" }),
      path: "Statement[0]",
      message: /needs Action or NotAction/,
    },
    {
      name: "Action a number",
      doc: doc(ok, { ...ok, Action: 42 }),
      path: "Statement[1].Action",
      message: /expected a string or an array of strings, got a number/,
    },
    {
      name: "Action array holding a number",
      doc: doc({ ...ok, Action: ["ec2:DeleteVolume", 7] }),
      path: "Statement[0].Action[1]",
      message: /expected a string, got a number/,
    },
    {
      name: "Action empty array",
      doc: doc({ ...ok, Action: [] }),
      path: "Statement[0].Action",
      message: /at least one/,
    },
    {
      name: "unknown top-level key",
      doc: { ...doc(ok), Statements: [] },
      path: "Statements",
      message: /unknown policy element "Statements"/,
    },
    {
      name: "unknown statement key",
      doc: doc({ ...ok, Acton: "x" }),
      path: "Statement[0].Acton",
      message: /unknown statement element "Acton" \(expected one of Sid, Effect/,
    },
    {
      name: "Condition value an object",
      doc: doc({ ...ok, Condition: { StringEquals: { "aws:SourceVpc": { vpc: "1" } } } }),
      path: 'Statement[0].Condition.StringEquals["aws:SourceVpc"]',
      message: /expected a string, number, boolean or an array of them, got an object/,
    },
    {
      name: "Condition operator not an object",
      doc: doc({ ...ok, Condition: { StringEquals: "x" } }),
      path: "Statement[0].Condition.StringEquals",
      message: /expected an object of condition keys, got a string/,
    },
    {
      name: "Condition value array holding null",
      doc: doc({ ...ok, Condition: { StringEquals: { k: ["a", null] } } }),
      path: "Statement[0].Condition.StringEquals.k[1]",
      message: /got null/,
    },
    {
      name: "Principal missing in a trust policy",
      doc: doc({ Effect: "Allow", Action: "sts:AssumeRole" }),
      source: trust,
      path: "Statement[0]",
      message: /needs Principal or NotPrincipal/,
    },
    {
      name: "Principal a bare service name",
      doc: doc({ Effect: "Allow", Principal: "ecs.amazonaws.com", Action: "sts:AssumeRole" }),
      source: trust,
      path: "Statement[0].Principal",
      message: /expected "\*" or an object/,
    },
    {
      name: "Principal of an unknown type",
      doc: doc({ Effect: "Allow", Principal: { Services: "ecs.amazonaws.com" }, Action: "sts:AssumeRole" }),
      source: trust,
      path: "Statement[0].Principal.Services",
      message: /unknown principal type/,
    },
    {
      name: "Principal in an identity policy",
      doc: doc({ ...ok, Principal: "*" }),
      path: "Statement[0].Principal",
      message: /not allowed in an identity policy/,
    },
    {
      name: "Resource missing in an identity policy",
      doc: doc({ Effect: "Allow", Action: "ec2:DeleteVolume" }),
      path: "Statement[0]",
      message: /needs Resource or NotResource/,
    },
    {
      name: "Version unsupported",
      doc: { ...doc(ok), Version: "2012-10-18" },
      path: "Version",
      message: /expected "2012-10-17" or "2008-10-17", got "2012-10-18"/,
    },
    { name: "a string document", doc: "policy", path: "", message: /must be a JSON object, got a string/ },
    { name: "a number document", doc: 42, path: "", message: /must be a JSON object, got a number/ },
    { name: "null", doc: null, path: "", message: /must be a JSON object, got null/ },
    { name: "an array document", doc: [ok], path: "", message: /must be a JSON object, got an array/ },
    { name: "Statement a string", doc: { Statement: "x" }, path: "Statement", message: /got a string/ },
    {
      name: "statement an array",
      doc: doc([ok]),
      path: "Statement[0]",
      message: /must be an object, got an array/,
    },
    {
      name: "statement object path",
      doc: { Statement: { ...ok, Effect: "Permit" } },
      path: "Statement.Effect",
      message: /got "Permit"/,
    },
  ];

  for (const row of rows) {
    it(row.name, () => {
      const result = parsePolicy(row.doc, row.source ?? inline);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const error = result.errors.find((e) => e.path === row.path);
      expect(error, JSON.stringify(result.errors)).toBeDefined();
      expect(error?.message).toMatch(row.message);
    });
  }

  it("reports every problem, not only the first", () => {
    const result = parsePolicy(
      doc({ Effect: "allow", Action: 1, Resource: "*" }, { ...ok, Bogus: 1 }),
      inline,
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.map((e) => e.path).sort()).toEqual([
        "Statement[0].Action",
        "Statement[0].Effect",
        "Statement[1].Bogus",
      ]);
    }
  });

  it("treats a __proto__ key as an unknown element, not as the prototype", () => {
    const result = parsePolicy(JSON.parse('{"Statement":[],"__proto__":{"Statement":1}}'), inline);
    expect(result).toEqual({
      ok: false,
      errors: [{ path: "__proto__", message: expect.stringMatching(/unknown policy element/) }],
    });
  });
});

describe("parsePolicy: normalisation", () => {
  it("normalises a statement object, string elements, principal * and scalar condition values", () => {
    const result = parsePolicy(
      {
        Version: "2012-10-17",
        Statement: {
          Sid: "S",
          Effect: "Allow",
          Principal: "*",
          Action: "sts:AssumeRole",
          Condition: { NumericLessThan: { n: 5 }, Bool: { b: true }, StringEquals: { s: ["x", "y"] } },
        },
      },
      trust,
    );
    expect(result).toEqual({
      ok: true,
      policy: {
        source: trust,
        version: "2012-10-17",
        statements: [
          {
            index: 0,
            sid: "S",
            effect: "Allow",
            action: ["sts:AssumeRole"],
            principal: { "*": ["*"] },
            condition: {
              NumericLessThan: { n: ["5"] },
              Bool: { b: ["true"] },
              StringEquals: { s: ["x", "y"] },
            },
          },
        ],
      },
    });
  });

  it("normalises principal maps and NotResource", () => {
    const result = parsePolicy(
      doc({
        Effect: "Deny",
        NotPrincipal: { Service: "ecs.amazonaws.com", AWS: ["1", "2"] },
        Action: "sts:*",
      }),
      trust,
    );
    expect(result.ok && result.policy.statements[0]?.notPrincipal).toEqual({
      Service: ["ecs.amazonaws.com"],
      AWS: ["1", "2"],
    });
    const identity = parsePolicy(
      doc({ Effect: "Deny", NotAction: "iam:*", NotResource: ["a", "b"] }),
      inline,
    );
    expect(identity.ok && identity.policy.statements[0]).toEqual({
      index: 0,
      effect: "Deny",
      notAction: ["iam:*"],
      notResource: ["a", "b"],
    });
  });

  it("takes a document without Version as 2008-10-17, as IAM does", () => {
    const result = parsePolicy({ Statement: [ok] }, inline);
    expect(result.ok && result.policy.version).toBe("2008-10-17");
  });

  it("parses a valid document of 131,072 characters (the IAM maximum)", () => {
    const statements = Array.from({ length: 400 }, (_, i) => ({
      Sid: `S${i}`,
      Effect: "Allow",
      Action: ["ec2:DescribeVolumes", "ec2:DetachVolume"],
      Resource: `arn:aws:ec2:us-east-1:111122223333:volume/vol-${String(i).padStart(17, "0")}`,
      Condition: { StringEquals: { "aws:ResourceTag/AmazonECSManaged": "true" } },
    }));
    const big = { Version: "2012-10-17", Id: "", Statement: statements };
    big.Id = "x".repeat(131_072 - JSON.stringify(big).length);
    const text = JSON.stringify(big);
    expect(text.length).toBe(131_072);
    const result = readPolicy(encodeURIComponent(text), inline);
    expect(result.ok).toBe(true);
    expect(result.ok && result.policy.statements.length).toBe(400);
  });
});

describe("decodePolicyDocument", () => {
  const json = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}';

  it("decodes a URL-encoded document, as the JS SDK returns it", () => {
    expect(decodePolicyDocument(encodeURIComponent(json))).toEqual({ ok: true, value: JSON.parse(json) });
  });

  it("accepts an already-decoded document", () => {
    expect(decodePolicyDocument(json)).toEqual({ ok: true, value: JSON.parse(json) });
  });

  it("does not decode already-decoded JSON that contains a percent sign", () => {
    const withPercent = '{"Statement":[],"Id":"100%25 sure"}';
    expect(decodePolicyDocument(withPercent)).toEqual({
      ok: true,
      value: { Statement: [], Id: "100%25 sure" },
    });
  });

  it("reports an invalid percent sequence that is not JSON either", () => {
    const result = decodePolicyDocument("%7B%22Version%22%3A%E0%A4%A");
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(/^the policy document is not valid JSON: /),
    });
  });

  it("reports text that is not JSON", () => {
    const result = decodePolicyDocument("Version=2012-10-17");
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/not valid JSON/) });
  });

  it("reports a decoded document that is not JSON, with its position", () => {
    const result = decodePolicyDocument(encodeURIComponent('{"Version" "2012-10-17"}'));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(/^the URL-decoded policy document is not valid JSON: /);
      expect(result.message).toMatch(/position 11/);
      expect(result.message).toMatch(/\(line 1, column 12\)/);
    }
  });

  it("reports an empty document", () => {
    expect(decodePolicyDocument("  ")).toEqual({ ok: false, message: "the policy document is empty" });
  });

  it("readPolicy turns a decoding problem into a grammar error at the document root", () => {
    expect(readPolicy("{", inline)).toEqual({
      ok: false,
      errors: [{ path: "", message: expect.stringMatching(/not valid JSON/) }],
    });
  });
});
