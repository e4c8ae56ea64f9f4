import type { OrganizationsClient } from "@aws-sdk/client-organizations";
import type { Fact, OrganizationMembership } from "../facts/types.ts";
import { errorCode, gather } from "./fact.ts";

/**
 * organizations:DescribeOrganization, once per account: whether SCPs can apply to its roles. Any account may call it
 * for its own organization. AWSOrganizationsNotInUseException is an answer (no organization, no SCP), not an error;
 * any other error leaves membership unknown, and the roles are then simulated as if SCPs applied.
 */
export async function collectMembership(
  client: () => Promise<OrganizationsClient>,
  account: Promise<string | undefined>,
): Promise<Fact<OrganizationMembership>> {
  return gather("organizations:DescribeOrganization", async () => {
    const organizations = await client();
    const { DescribeOrganizationCommand } = await import("./organizations-sdk.ts");
    try {
      const out = await organizations.send(new DescribeOrganizationCommand({}));
      const management = out.Organization?.MasterAccountId;
      const id = out.Organization?.Id;
      const self = await account;
      return {
        inOrganization: true,
        ...(management ? { managementAccountId: management } : {}),
        ...(id ? { organizationId: id } : {}),
        ...(management && self ? { managementAccount: management === self } : {}),
      };
    } catch (err) {
      if (errorCode(err) === "AWSOrganizationsNotInUseException") return { inOrganization: false };
      throw err;
    }
  });
}

/** Whether the roles must be simulated: SCPs may apply (in an organization but not its management account, or unknown). */
export function simulationNeeded(membership: Fact<OrganizationMembership>): boolean {
  if (!membership.ok) return true;
  return membership.value.inOrganization && membership.value.managementAccount !== true;
}
