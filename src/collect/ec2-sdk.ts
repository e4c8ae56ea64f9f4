/**
 * The parts of @aws-sdk/client-ec2 the collector uses, imported by name so the bundle keeps only these: a dynamic
 * import of the package itself keeps every one of EC2's operations and their schemas (≈1 MB, ≈45 MB of memory).
 * Loaded on demand through `import("./ec2-sdk.ts")`, like the package was.
 */
export { EC2Client, paginateDescribeVolumes } from "@aws-sdk/client-ec2";
