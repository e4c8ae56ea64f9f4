import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import type { CallerIdentity, Fact } from "../facts/types.ts";
import { gather } from "./fact.ts";

/** STS GetCallerIdentity: the account checked, and who is asking. */
export function collectCaller(sts: STSClient): Promise<Fact<CallerIdentity>> {
  return gather("sts:GetCallerIdentity", async () => {
    const out = await sts.send(new GetCallerIdentityCommand({}));
    if (!out.Account || !out.Arn)
      throw Object.assign(new Error("GetCallerIdentity returned no account"), { name: "MalformedResponse" });
    return { account: out.Account, arn: out.Arn, userId: out.UserId ?? "" };
  });
}
