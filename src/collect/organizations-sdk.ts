/**
 * The parts of @aws-sdk/client-organizations the check uses, imported by name so the bundle keeps only these.
 * Loaded on demand through `import("./organizations-sdk.ts")`: a check no rule needs Organizations for never loads it.
 */
export { DescribeOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
