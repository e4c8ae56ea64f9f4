/**
 * The parts of @aws-sdk/client-cloudformation the change gate uses, imported by name so the bundle keeps only these.
 * Loaded on demand through `import("./cloudformation-sdk.ts")`: a check without a change set never loads it.
 */
export {
  CloudFormationClient,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListStackResources,
} from "@aws-sdk/client-cloudformation";
