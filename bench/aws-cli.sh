#!/usr/bin/env bash
# The reads ecs-preflight makes, written as a person would with the AWS CLI and jq: the baseline the benchmark
# compares against (bench/run.mjs). Endpoint and credentials come from the environment (AWS_ENDPOINT_URL & co.);
# the endpoint is passed on every call, since AWS CLI v2 before 2.13 ignores AWS_ENDPOINT_URL.
# Usage: AWS_CLI=/usr/bin/aws bench/aws-cli.sh   → prints the infrastructure roles in scope and the tasks read.
# AWS_CLI is the CLI's absolute path: which `aws` PATH finds first differs between machines (a pyenv shim of v1
# stands before Debian's v2 here), and the benchmark reports each CLI by its path and version.
set -euo pipefail
: "${AWS_CLI:?set AWS_CLI to the absolute path of the aws executable}"
# v2 pages its output through `less` by default; a script turns that off.
export AWS_PAGER=""
aws() { "$AWS_CLI" --endpoint-url "$AWS_ENDPOINT_URL" --output json "$@"; }

aws sts get-caller-identity >/dev/null
roles=()
tasks=0
for cluster in $(aws ecs list-clusters | jq -r '.clusterArns[]'); do
  services=$(aws ecs list-services --cluster "$cluster" | jq -r '.serviceArns[]')
  if [ -n "$services" ]; then
    # DescribeServices takes 10 services a call.
    while read -r batch; do
      # shellcheck disable=SC2086
      roles+=($(aws ecs describe-services --cluster "$cluster" --services $batch |
        jq -r '.services[].deployments[] | (.volumeConfigurations // [])[].managedEBSVolume.roleArn'))
    done < <(printf '%s\n' $services | xargs -n 10 echo)
  fi
  for status in RUNNING STOPPED; do
    arns=$(aws ecs list-tasks --cluster "$cluster" --desired-status "$status" | jq -r '.taskArns[]')
    [ -n "$arns" ] || continue
    while read -r batch; do
      # shellcheck disable=SC2086
      out=$(aws ecs describe-tasks --cluster "$cluster" --tasks $batch)
      tasks=$((tasks + $(jq '.tasks | length' <<<"$out")))
      roles+=($(jq -r '.tasks[] | select(.lastStatus != "STOPPED") | .attachments[]
        | select(.type == "AmazonElasticBlockStorage") | .details[] | select(.name == "roleArn") | .value' <<<"$out"))
    done < <(printf '%s\n' $arns | xargs -n 100 echo)
  done
done

declare -A policies=()
for role in $(printf '%s\n' "${roles[@]}" | sort -u); do
  name=${role##*/}
  aws iam get-role --role-name "$name" >/dev/null
  aws iam list-role-policies --role-name "$name" >/dev/null
  for arn in $(aws iam list-attached-role-policies --role-name "$name" | jq -r '.AttachedPolicies[].PolicyArn'); do
    policies[$arn]=1
  done
done
for arn in "${!policies[@]}"; do
  version=$(aws iam get-policy --policy-arn "$arn" | jq -r '.Policy.DefaultVersionId')
  aws iam get-policy-version --policy-arn "$arn" --version-id "$version" >/dev/null
done
aws ec2 describe-volumes --filters Name=tag:AmazonECSManaged,Values=true | jq '.Volumes | length' >/dev/null
aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=ECSTaskVolumesForEBS \
  --start-time "$(date -u -d '24 hours ago' +%Y-%m-%dT%H:%M:%SZ)" | jq '.Events | length' >/dev/null
printf 'roles: %s\ntasks: %s\n' "$(printf '%s\n' "${roles[@]}" | sort -u | wc -l)" "$tasks"
