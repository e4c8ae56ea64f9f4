/** IpAddress, NotIpAddress: the request address lies in the policy's CIDR range (IPv4 or IPv6). */

import { globText } from "../glob.ts";
import { parseIpRange, rangeContains } from "./ip-range.ts";
import { type ConditionOperator, operatorPair } from "./operator.ts";

export const ipOperators: ConditionOperator[] = operatorPair(
  "IpAddress",
  "NotIpAddress",
  (policy, subject) => {
    if (subject.kind === "pattern") return "maybe";
    const range = parseIpRange(globText(policy));
    const address = parseIpRange(subject.text);
    // A malformed address never matches, as in IAM.
    if (range === undefined || address === undefined) return "no";
    return rangeContains(range, address) ? "yes" : "no";
  },
  false,
);
