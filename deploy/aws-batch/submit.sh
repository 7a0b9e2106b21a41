#!/usr/bin/env bash
# Submits a trailhound run to AWS Batch: an array job of TRAILHOUND_SHARD_COUNT shards, then
# the merge, which starts when every child of the array has succeeded. Not run by trailhound's
# tests. Usage: submit.sh JOB_QUEUE
set -euo pipefail
queue=${1:?usage: submit.sh JOB_QUEUE}
here=$(cd "$(dirname "$0")" && pwd)
shards=$(jq -r '.containerProperties.environment[] | select(.name == "TRAILHOUND_SHARD_COUNT") | .value' \
  "$here/job-definition.json")
aws batch register-job-definition --cli-input-json "file://$here/job-definition.json" >/dev/null
aws batch register-job-definition --cli-input-json "file://$here/merge-job-definition.json" >/dev/null
array=$(aws batch submit-job --job-name trailhound-shards --job-queue "$queue" \
  --job-definition trailhound-shard --array-properties "size=$shards" --query jobId --output text)
# A dependency on an array job waits for all of its children.
aws batch submit-job --job-name trailhound-merge --job-queue "$queue" \
  --job-definition trailhound-merge --depends-on "jobId=$array" --query jobId --output text
