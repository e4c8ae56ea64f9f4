import { AwsError } from "./errors.ts";
import { type JsonParams, optInt, optString } from "./json.ts";
import { decodeToken, effectivePageSize, encodeToken, pageOf } from "./paging.ts";
import type { FakeState } from "./state.ts";
import type { FakeOrgMember, FakeWorld } from "./world.ts";

/**
 * Organizations (awsJson1_1, AWSOrganizationsV20161128): DescribeOrganization, from the account's `organization`
 * (none: AWSOrganizationsNotInUseException, as AWS answers an account outside any organization); and ListAccounts,
 * paged (MaxResults 1..20). Accounts carry `State` (and, as a member asks, the older `Status`, retired in September
 * 2026). Only the primary (management) account may list them.
 */
export function handleOrganizations(
  state: FakeState,
  action: string,
  params: JsonParams,
  world: FakeWorld,
): object {
  if (action === "DescribeOrganization") return describeOrganization(state);
  if (action !== "ListAccounts") throw new AwsError("InvalidAction", `Unknown operation ${action}`);
  if (state.accountId !== world.primary.accountId)
    throw new AwsError("AccessDeniedException", "You don't have permissions to access this resource.", 400);
  const asked = optInt(params, "MaxResults");
  if (asked !== undefined && (asked < 1 || asked > 20))
    throw new AwsError(
      "InvalidInputException",
      "You provided a value that does not match the required pattern.",
    );
  const members: FakeOrgMember[] = world.options.members ?? world.accountIds().map((id) => ({ id }));
  const all = members.map((m) => ({
    Id: m.id,
    Arn: `arn:aws:organizations::${world.primary.accountId}:account/o-fake/${m.id}`,
    Email: `aws+${m.id}@example.com`,
    Name: m.name ?? `account-${m.id}`,
    ...(m.fields === "status" ? {} : { State: m.status ?? "ACTIVE" }),
    ...(m.fields === "status" || m.fields === "both" ? { Status: m.status ?? "ACTIVE" } : {}),
    JoinedMethod: m.id === world.primary.accountId ? "CREATED" : "INVITED",
    JoinedTimestamp: 1_700_000_000,
  }));
  const token = optString(params, "NextToken");
  const offset = token === undefined ? 0 : decodeToken(token, ["ListAccounts"]);
  if (offset === undefined) throw new AwsError("InvalidInputException", "The NextToken is not valid.");
  const page = pageOf(all, offset, effectivePageSize(asked, 20, state.pageSize.organizations));
  return {
    Accounts: page.items,
    ...(page.next === undefined ? {} : { NextToken: encodeToken(page.next, ["ListAccounts"]) }),
  };
}

export const DEFAULT_MANAGEMENT_ACCOUNT = "999988887777";
/** The Id DescribeOrganization answers (aws:PrincipalOrgID and aws:ResourceOrgID of the account's requests). */
export const FAKE_ORGANIZATION_ID = "o-fake12345";

/** The DescribeOrganization answer (shape of the Organizations API reference's example). */
function describeOrganization(state: FakeState): object {
  const org = state.account.organization;
  if (!org)
    throw new AwsError(
      "AWSOrganizationsNotInUseException",
      "Your account is not a member of an organization.",
      400,
    );
  const management = org.managementAccountId ?? DEFAULT_MANAGEMENT_ACCOUNT;
  return {
    Organization: {
      Id: FAKE_ORGANIZATION_ID,
      Arn: `arn:aws:organizations::${management}:organization/${FAKE_ORGANIZATION_ID}`,
      FeatureSet: "ALL",
      MasterAccountArn: `arn:aws:organizations::${management}:account/${FAKE_ORGANIZATION_ID}/${management}`,
      MasterAccountId: management,
      MasterAccountEmail: `aws+${management}@example.com`,
      AvailablePolicyTypes: [{ Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED" }],
    },
  };
}
