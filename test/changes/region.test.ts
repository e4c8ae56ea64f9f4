import { describe, expect, it } from "vitest";
import { changeSetChanges } from "../../src/changes/cloudformation/adapter.ts";
import type { ChangeList } from "../../src/changes/model.ts";
import { InputError } from "../../src/errors.ts";
import { changeStep } from "../../src/pipeline/change-step.ts";
import { facts, REGION, role, VOLUMES_POLICY_ARN } from "../support/facts.ts";
import { fixture, reading } from "./cloudformation/change-sets.ts";

/**
 * A change set is one account's and one Region's (its StackId and ChangeSetId say which). Judged against the facts
 * of a Region that is not its own, a pass says nothing about its stack's services and tasks: refused, naming the
 * file, both Regions and the flag. With several Regions read, one of them its own, every Region judges its role
 * changes (IAM is global) and only its own the services its stack deletes. A Terraform plan names no Region.
 */

const OTHER = "eu-west-1";
const today = (region = REGION) => facts([role("ecs-infra", { attached: [VOLUMES_POLICY_ARN] })], { region });

/** The fixture that removes the role and its service, moved to `region`, read as `--plan FILE`. */
function removal(region: string): ChangeList {
  const raw = JSON.parse(
    JSON.stringify(fixture("remove-service-and-role")).replaceAll(`:${REGION}:`, `:${region}:`),
  );
  return changeSetChanges(reading(raw), { file: "cs.json" });
}

const terraform: ChangeList = {
  source: { format: "terraform", file: "plan.json", formatVersion: "1.2" },
  api: "terraform:plan",
  touches: [],
  policies: [],
  reach: [],
  deletedServices: [{ address: "aws_ecs_service.api", name: "api", cluster: "prod" }],
};

const refusal = (run: () => unknown): string => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("a change set judged against the Region(s) read", () => {
  it.each([
    ["its own Region, alone", REGION, REGION, undefined, true],
    ["its own Region among several (here)", REGION, REGION, [REGION, OTHER], true],
    ["another Region among several, its own read too", OTHER, REGION, [REGION, OTHER], false],
  ])("%s: applied; the stack's deleted services only in its own Region", (_, home, here, regions, own) => {
    const out = changeStep(today(here), removal(home), regions ? { regions } : {});
    expect(out.plan?.roles.map((r) => [r.name, r.after.state])).toEqual([["ecs-infra", "deleted"]]);
    expect(out.plan?.deletedServices.map((s) => s.name)).toEqual(own ? ["api"] : []);
  });

  it.each([
    [
      "a file of another Region, one Region read",
      {},
      /^--plan cs\.json: the change set is in eu-west-1, but the check reads us-east-1; run it with --region eu-west-1$/,
    ],
    [
      "a file of a Region that is not among those read",
      { regions: [REGION, "ap-southeast-2"] },
      /the change set is in eu-west-1, but the check reads us-east-1, ap-southeast-2; add eu-west-1 to --regions$/,
    ],
    [
      "a snapshot of another Region",
      { snapshot: "snap.json" },
      /the change set is in eu-west-1, but the snapshot snap\.json is of us-east-1; run it with --region eu-west-1/,
    ],
  ])("%s: refused (exit 2)", (_, options, message) => {
    expect(refusal(() => changeStep(today(), removal(OTHER), options))).toMatch(message);
  });

  it("a change set of another account is refused, naming both accounts", () => {
    const raw = JSON.parse(
      JSON.stringify(fixture("detach-managed-policy")).replaceAll("111122223333", "444455556666"),
    );
    expect(refusal(() => changeStep(today(), changeSetChanges(reading(raw), { file: "cs.json" })))).toMatch(
      /^--plan cs\.json: the change set is of account 444455556666, but the facts are of account 111122223333; run the check with credentials for account 444455556666/,
    );
  });

  it("a Terraform plan names no Region: applied in every Region read, its deleted services too", () => {
    for (const region of [REGION, OTHER])
      expect(changeStep(today(region), terraform).plan?.deletedServices).toHaveLength(1);
  });
});
