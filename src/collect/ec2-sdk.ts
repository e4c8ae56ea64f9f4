/**
 * The parts of @aws-sdk/client-ec2 the tool uses, imported by name so the bundle keeps only these: a dynamic
 * import of the package itself keeps every one of EC2's operations and their schemas (≈1 MB, ≈45 MB of memory, and
 * ≈120 ms of compiling on Node 20). Every EC2 read goes through here (DescribeVolumes for the check,
 * DescribeRegions for `--regions enabled`): one more `import("@aws-sdk/client-ec2")` anywhere would put the whole
 * package back into the chunk this one shares with it. Loaded on demand through `import("./ec2-sdk.ts")`.
 */
export { DescribeRegionsCommand, EC2Client, paginateDescribeVolumes } from "@aws-sdk/client-ec2";
