import { infrastructureUse, usePolicyArn } from "./infrastructure-uses.ts";

/** Copy-paste AWS CLI commands for the fixes the rules recommend. Names are shell-quoted. */

/** The EBS use's managed policy, from the uses table. */
export const VOLUMES_POLICY_NAME = infrastructureUse("ebs").policy.name;

export function volumesPolicyArn(partition = "aws"): string {
  return usePolicyArn(infrastructureUse("ebs"), partition);
}

/** The trust policy AWS documents for the ECS infrastructure role. */
export const ECS_TRUST_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "AllowAccessToECSForInfrastructureManagement",
      Effect: "Allow",
      Principal: { Service: "ecs.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ],
};

/** Single-quotes a value for POSIX shells. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function updateTrustCommand(roleName: string): string {
  return `aws iam update-assume-role-policy --role-name ${shellQuote(roleName)} --policy-document ${shellQuote(JSON.stringify(ECS_TRUST_POLICY))}`;
}

export function attachVolumesPolicyCommand(roleName: string, partition = "aws"): string {
  return `aws iam attach-role-policy --role-name ${shellQuote(roleName)} --policy-arn ${volumesPolicyArn(partition)}`;
}

/** Recreates the role trusted by ECS, with the given managed policies (by default the volumes policy). */
export function recreateRoleCommands(
  roleName: string,
  path = "/",
  partition = "aws",
  policyArns: readonly string[] = [volumesPolicyArn(partition)],
): string {
  const pathFlag = path && path !== "/" ? ` --path ${shellQuote(path)}` : "";
  return [
    `aws iam create-role --role-name ${shellQuote(roleName)}${pathFlag} --assume-role-policy-document ${shellQuote(JSON.stringify(ECS_TRUST_POLICY))}`,
    ...policyArns.map((arn) => attachPolicyCommand(roleName, arn)),
  ].join("\n");
}

export function editInlinePolicyCommands(
  roleName: string,
  policyName: string,
  sid: string | undefined,
): string {
  const r = shellQuote(roleName);
  const p = shellQuote(policyName);
  const what = sid ? `statement "${sid}"` : "the denying statement";
  return [
    `aws iam get-role-policy --role-name ${r} --policy-name ${p} --query PolicyDocument > policy.json`,
    `# edit policy.json: remove or narrow ${what}`,
    `aws iam put-role-policy --role-name ${r} --policy-name ${p} --policy-document file://policy.json`,
  ].join("\n");
}

export function editManagedPolicyCommands(
  policyArn: string,
  versionId: string | undefined,
  sid: string | undefined,
): string {
  const a = shellQuote(policyArn);
  const what = sid ? `statement "${sid}"` : "the statement at fault";
  return [
    `aws iam get-policy-version --policy-arn ${a} --version-id ${versionId ?? `$(aws iam get-policy --policy-arn ${a} --query Policy.DefaultVersionId --output text)`} --query PolicyVersion.Document > policy.json`,
    `# edit policy.json: fix ${what}`,
    `aws iam create-policy-version --policy-arn ${a} --policy-document file://policy.json --set-as-default`,
  ].join("\n");
}

export function attachPolicyCommand(roleName: string, policyArn: string): string {
  return `aws iam attach-role-policy --role-name ${shellQuote(roleName)} --policy-arn ${policyArn}`;
}
