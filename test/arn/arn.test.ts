import { describe, expect, it } from "vitest";
import { parseArn, roleKey, roleNameOf, shortName } from "../../src/arn/arn.ts";

describe("parseArn (memoised)", () => {
  const rows: [string, ReturnType<typeof parseArn>][] = [
    [
      "arn:aws:iam::111122223333:role/service-role/ecs-infra",
      {
        partition: "aws",
        service: "iam",
        region: "",
        account: "111122223333",
        resource: "role/service-role/ecs-infra",
      },
    ],
    [
      "arn:aws-cn:ecs:cn-north-1:1:task/prod/abc",
      { partition: "aws-cn", service: "ecs", region: "cn-north-1", account: "1", resource: "task/prod/abc" },
    ],
    // The resource part keeps its colons.
    [
      "arn:aws:logs:eu-west-1:1:log-group:/ecs/x:*",
      {
        partition: "aws",
        service: "logs",
        region: "eu-west-1",
        account: "1",
        resource: "log-group:/ecs/x:*",
      },
    ],
    ["arn:aws:s3", undefined],
    ["ecs-infra", undefined],
    ["nra:aws:iam::1:role/x", undefined],
    ["", undefined],
  ];

  it("gives the same pieces the first time and every time after, and undefined for what is not an ARN", () => {
    for (let round = 0; round < 3; round++)
      for (const [arn, expected] of round === 1 ? [...rows].reverse() : rows)
        expect(parseArn(arn)).toEqual(expected);
  });

  it("shares one frozen result per ARN, so no caller can change another's", () => {
    const arn = "arn:aws:ecs:us-east-1:1:cluster/prod";
    const first = parseArn(arn);
    expect(parseArn(`arn:aws:ecs:us-east-1:1:${"cluster/prod"}`)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => {
      (first as { account: string }).account = "2";
    }).toThrow(TypeError);
    expect(parseArn(arn)?.account).toBe("1");
  });

  it("stays right past the memo's limit (it starts again), and so do the helpers built on it", () => {
    for (let i = 0; i < 20_000; i++) {
      const arn = `arn:aws:ecs:us-east-1:1:task/c${i % 7}/t${i}`;
      const parts = parseArn(arn);
      if (parts?.resource !== `task/c${i % 7}/t${i}` || shortName(arn) !== `t${i}`)
        throw new Error(`wrong at ${i}`);
    }
    expect(parseArn("arn:aws:ecs:us-east-1:1:task/c0/t0")?.resource).toBe("task/c0/t0");
    expect(roleNameOf("arn:aws:iam::1:role/a/b/Name")).toBe("Name");
    expect(roleKey("arn:aws:iam::1:role/a/Name", "9")).toBe("1/name");
    expect(roleKey("Name", "9")).toBe("9/name");
  });
});
