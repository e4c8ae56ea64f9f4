import { AwsError } from "./errors.ts";
import type { QueryParams } from "./query.ts";
import type { FakeState } from "./state.ts";
import type { XmlFields } from "./xml.ts";

/** STS (awsQuery, 2011-06-15): who is calling. */
export function handleSts(state: FakeState, action: string, _params: QueryParams): XmlFields {
  if (action !== "GetCallerIdentity") {
    throw new AwsError("InvalidAction", `Could not find operation ${action} for version 2011-06-15`);
  }
  return { Arn: state.caller.arn, UserId: state.caller.userId, Account: state.accountId };
}
