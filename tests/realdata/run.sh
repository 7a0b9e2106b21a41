#!/usr/bin/env bash
# Real-data checks: trailhound over the third-party CloudTrail sets in ../shared/realdata.
# Usage: run.sh TRAILHOUND_BINARY REALDATA_DIR   (exit 77 = skipped when REALDATA_DIR is absent)
#
# Every expected number below was computed independently of trailhound, with jq or Python
# reading the raw files; the command is in the comment beside it. Where a set of events is
# compared (not just a count), jq selects it again at run time from the raw files.
# Every line of every JSON Lines output is parsed with `jq -e .`.
set -u
bin=${1:?usage: run.sh TRAILHOUND REALDATA_DIR}
data=${2:?usage: run.sh TRAILHOUND REALDATA_DIR}
if [ ! -d "$data" ]; then
  echo "realdata absent: skipped"
  exit 77
fi
command -v jq >/dev/null || { echo "realdata: jq is required"; exit 1; }
command -v zcat >/dev/null || { echo "realdata: zcat is required"; exit 1; }

export NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
# check NAME EXPECTED ACTUAL
check() {
  local shown=$2
  case $2 in *$'\n'*) shown="($(wc -l <<<"$2" | tr -d ' ') lines)" ;; esac
  if [ "$2" == "$3" ]; then
    ok "$1 = $shown"
  else
    bad "$1: expected '$2', got '$3'"
  fi
}

runs=0
# th NAME ARGS...: runs trailhound; stdout in $out, stderr in $err, exit code in $rc. When the
# output is JSON Lines, every line must parse, the last line must be the summary, and its
# records must add up (read == used + rejected).
th() {
  local name=$1
  shift
  runs=$((runs + 1))
  out=$tmp/$runs.out err=$tmp/$runs.err
  "$bin" "$@" >"$out" 2>"$err"
  rc=$?
  case " $* " in
    *" --format jsonl "*) jsonl_valid "$name" ;;
  esac
}

jsonl_valid() {
  local name=$1 lines=0 broken=0 line
  while IFS= read -r line || [ -n "$line" ]; do
    lines=$((lines + 1))
    if ! jq -e . >/dev/null 2>&1 <<<"$line"; then
      broken=$((broken + 1))
      [ $broken -le 3 ] && echo "     line $lines does not parse: ${line:0:200}"
    fi
  done <"$out"
  if [ $lines -gt 0 ] && [ $broken = 0 ]; then
    ok "$name: all $lines JSON Lines parse with jq -e ."
  else
    bad "$name: $broken of $lines JSON Lines do not parse"
  fi
  local last
  last=$(tail -n 1 "$out" | jq -r 'if .type == "summary" and
      .records.read == .records.used + .records.rejected then "ok" else "no" end' 2>/dev/null)
  check "$name: last line is the summary, records read == used + rejected" ok "$last"
}

events() { jq -c 'select(.type == "event")' "$out" | wc -l | tr -d ' '; }
summary() { tail -n 1 "$out" | jq -c -r "$1"; }

# ==== flaws2-cloudtrail: 8 S3 .json.gz files, 37 records ======================================
F=$data/flaws2-cloudtrail
# All records, once, as NDJSON, for the run-time selections below.
flaws_records() { find "$F" -name '*.json.gz' -print0 | sort -z | xargs -0 zcat | jq -c '.Records[]'; }

th flaws2 timeline "$F" --format jsonl
check "flaws2: exit" 0 "$rc"
# 37 = find ... -name '*.json.gz' | xargs zcat | jq -c '.Records[]' | wc -l
check "flaws2: event lines" 37 "$(events)"
check "flaws2: records read" 37 "$(summary .records.read)"
check "flaws2: records used" 37 "$(summary .records.used)"
check "flaws2: records rejected" 0 "$(summary .records.rejected)"
# 8 = the .json.gz files; SOURCE.txt is the one file skipped (not JSON)
check "flaws2: files read" 8 "$(summary .files.read)"
check "flaws2: files failed" 0 "$(summary .files.failed)"
# jq -r .eventTime | sort | sed -n '1p;$p'
check "flaws2: first seen" 2018-11-28T22:31:59Z "$(summary .first_seen)"
check "flaws2: last seen" 2018-11-28T23:09:36Z "$(summary .last_seen)"
# the same events, in time order: jq -r .eventID of the records sorted by eventTime
times=$(jq -r 'select(.type == "event") | .time' "$out")
check "flaws2: events in time order" "$(sort <<<"$times")" "$times"
check "flaws2: event IDs are the records' IDs" "$(flaws_records | jq -r .eventID | sort)" \
  "$(jq -r 'select(.type == "event") | .record.eventID' "$out" | sort)"

# The same output whatever the thread count.
th flaws2-j1 timeline "$F" --format jsonl -j 1
j1=$(cat "$out")
th flaws2-j2 timeline "$F" --format jsonl -j 2
check "flaws2: -j1 and -j2 give identical output" "$j1" "$(cat "$out")"

# Per principal, with every documented --user form. Counts:
#   jq 'select(.userIdentity.sessionContext.sessionIssuer.userName == "level1")' -> 9
#   jq 'select(.userIdentity.sessionContext.sessionIssuer.userName == "level3")' -> 1
for user in level1 level1/level1 arn:aws:sts::653711331788:assumed-role/level1/level1 \
  AROAIBATWWYQXZTTALNCE:level1 arn:aws:iam::653711331788:role/service-role/level1; do
  th "flaws2 --user $user" timeline "$F" --format jsonl --user "$user"
  check "flaws2: --user $user" 9 "$(events)"
done
for user in level3 d190d14a-2404-45d6-9113-4eda22d7f2c7 \
  level3/d190d14a-2404-45d6-9113-4eda22d7f2c7 arn:aws:iam::653711331788:role/level3; do
  th "flaws2 --user $user" timeline "$F" --format jsonl --user "$user"
  check "flaws2: --user $user" 1 "$(events)"
done
# A partial name matches nothing: jq 'select(.userIdentity.userName == "level")' -> 0
th "flaws2 --user level" timeline "$F" --format jsonl --user level
check "flaws2: --user level (partial)" 0 "$(events)"

# Every distinct principal and its count, from the summary command. Computed with
#   jq -r '.userIdentity | if .arn then .arn elif (.principalId // "") != "" then .principalId
#          elif .type == "AWSService" then "AWSService:" + .invokedBy
#          else .type + ":" + .accountId end' | sort | uniq -c
expected_principals='AWSAccount:ANONYMOUS_PRINCIPAL 22
AWSService:apigateway.amazonaws.com 2
AWSService:ecs-tasks.amazonaws.com 2
AWSService:lambda.amazonaws.com 1
arn:aws:sts::653711331788:assumed-role/level1/level1 9
arn:aws:sts::653711331788:assumed-role/level3/d190d14a-2404-45d6-9113-4eda22d7f2c7 1'
th "flaws2 summary" summary "$F" --format jsonl
check "flaws2: summary principals and counts" "$expected_principals" \
  "$(jq -r 'select(.type == "principal") | "\(.key) \(.events)"' "$out" | LC_ALL=C sort)"
check "flaws2: summary principal count" 6 "$(summary .principals)"

# --access-key: count and the exact set of eventIDs.
#   jq -r 'select(.userIdentity.accessKeyId == "ASIAZQNB3KHGIGYQXVVG") | .eventID' -> 9 IDs
key=ASIAZQNB3KHGIGYQXVVG
th "flaws2 --access-key" timeline "$F" --format jsonl --access-key $key
check "flaws2: --access-key $key count" 9 "$(events)"
check "flaws2: --access-key $key eventIDs" \
  "$(flaws_records | jq -r --arg k $key 'select(.userIdentity.accessKeyId == $k) | .eventID' | sort)" \
  "$(jq -r 'select(.type == "event") | .record.eventID' "$out" | sort)"

# --since/--until, [since, until):
#   jq 'select(.eventTime >= "2018-11-28T23:03:00Z" and .eventTime < "2018-11-28T23:05:00Z")' -> 19
th "flaws2 window" timeline "$F" --format jsonl --since 2018-11-28T23:03:00Z --until 2018-11-28T23:05:00Z
check "flaws2: --since 23:03:00 --until 23:05:00" 19 "$(events)"
check "flaws2: window eventIDs" \
  "$(flaws_records | jq -r 'select(.eventTime >= "2018-11-28T23:03:00Z" and .eventTime < "2018-11-28T23:05:00Z") | .eventID' | sort)" \
  "$(jq -r 'select(.type == "event") | .record.eventID' "$out" | sort)"
# Pruned by name: key time K < since - 5 min or K >= until + 20 min (Python over the 8 names:
# only ..._20181128T2235Z_... is out) -> 1
check "flaws2: window files pruned by name" 1 "$(summary .files.pruned)"
# Edges: since is inclusive, until exclusive.
#   jq 'select(.eventTime >= "2018-11-28T23:03:08Z" and .eventTime < "2018-11-28T23:03:12Z")' -> 7
th "flaws2 window edges" timeline "$F" --format jsonl --since 2018-11-28T23:03:08Z --until 2018-11-28T23:03:12Z
check "flaws2: --since 23:03:08 --until 23:03:12" 7 "$(events)"
# The same window written with offsets: 2018-11-28T15:03:08-08:00 .. 2018-11-29T00:03:12+01:00
th "flaws2 window offsets" timeline "$F" --format jsonl --since 2018-11-28T15:03:08-08:00 --until 2018-11-29T00:03:12+01:00
check "flaws2: window written with offsets" 7 "$(events)"

# --errors-only: jq 'select(.errorCode != null)' -> 7 (AccessDenied 5, NoSuchKey 2)
th "flaws2 --errors-only" timeline "$F" --format jsonl --errors-only
check "flaws2: --errors-only" 7 "$(events)"
check "flaws2: --errors-only codes" '{"AccessDenied":5,"NoSuchKey":2}' "$(summary .error_codes)"

# --source-ip: jq 'select(.sourceIPAddress == "104.102.221.250")' -> 27
th "flaws2 --source-ip" timeline "$F" --format jsonl --source-ip 104.102.221.250
check "flaws2: --source-ip 104.102.221.250" 27 "$(events)"
th "flaws2 --source-ip /24" timeline "$F" --format jsonl --source-ip 104.102.221.0/24
check "flaws2: --source-ip 104.102.221.0/24" 27 "$(events)"
# jq 'select(.sourceIPAddress == "34.234.236.212")' -> 5; plus the attacker's 27 -> 32
th "flaws2 --source-ip x2" timeline "$F" --format jsonl --source-ip 104.102.221.250 --source-ip 34.234.236.212
check "flaws2: two --source-ip values" 32 "$(events)"
# Service-name sources never match an address filter: 0.0.0.0/0 gives the 32 address events
th "flaws2 --source-ip 0/0" timeline "$F" --format jsonl --source-ip 0.0.0.0/0
check "flaws2: --source-ip 0.0.0.0/0 skips service names" 32 "$(events)"

# --event glob: jq 'select(.eventName | test("^Get"))' -> 23 (GetObject 22, GetDownloadUrlForLayer 1)
th "flaws2 --event Get*" timeline "$F" --format jsonl --event 'Get*'
check "flaws2: --event 'Get*'" 23 "$(events)"

# Combined: the attacker's errors. jq 'select(.sourceIPAddress == "104.102.221.250" and
# .errorCode != null)' -> 2
th "flaws2 combined" timeline "$F" --format jsonl --source-ip 104.102.221.250 --errors-only
check "flaws2: --source-ip + --errors-only" 2 "$(events)"

# CSV output: header + 37 rows (CRLF line ends)
th "flaws2 csv" timeline "$F" --format csv
check "flaws2: CSV rows" 38 "$(grep -c $'\r$' "$out")"

# ==== traildiscover: 584 files, 563 events =====================================================
# Python over docs/logExamples: 584 files = 543 one-element arrays + 21 empty arrays `[]` +
# 20 bare objects -> 543 + 20 = 563 events, 305 distinct eventName values.
T=$data/traildiscover
th traildiscover timeline "$T" --format jsonl
check "traildiscover: exit" 0 "$rc"
# The examples reuse sample records: 249 are byte-identical copies (same eventID, same text)
# of one already read, counted once (Python over the same records: distinct (eventID, record)
# pairs leave 249 copies) -> 563 - 249 = 314 events shown.
check "traildiscover: event lines" 314 "$(events)"
check "traildiscover: duplicates" 249 "$(summary .records.duplicates)"
check "traildiscover: records used" 563 "$(summary .records.used)"
check "traildiscover: records rejected" 0 "$(summary .records.rejected)"
check "traildiscover: files read (empty arrays are read, not failed)" 584 "$(summary .files.read)"
check "traildiscover: files failed" 0 "$(summary .files.failed)"
# SOURCE.txt is the one skipped file
check "traildiscover: files skipped" 1 "$(summary .files.skipped)"
check "traildiscover: distinct eventName" 305 \
  "$(jq -r 'select(.type == "event") | .record.eventName' "$out" | sort -u | wc -l | tr -d ' ')"
# The one thing on stderr: the skipped SOURCE.txt, named with its reason (no file among the
# logs is skipped silently).
check "traildiscover: stderr names only the skipped SOURCE.txt" \
  "trailhound: $data/traildiscover/SOURCE.txt: not JSON (does not start with '{' or '['), skipped" \
  "$(cat "$err")"

# ==== otrf-security-datasets: Logstash NDJSON, @timestamp instead of eventTime ================
O=$data/otrf-security-datasets
# wc -l ec2_proxy_s3_exfiltration_2020-09-14011940.json -> 103;
# jq 'select(has("@timestamp") and (has("eventTime") | not))' -> 103
th otrf timeline "$O" --format jsonl
check "otrf: exit" 0 "$rc"
check "otrf: records used" 103 "$(summary .records.used)"
check "otrf: event lines" 103 "$(events)"
check "otrf: records rejected" 0 "$(summary .records.rejected)"
check "otrf: files read" 1 "$(summary .files.read)"
# not JSON, skipped: AWS_S3_HoneyBucketLogs.csv, the two _metadata/*.yaml, SOURCE.txt
check "otrf: files skipped (CSV, YAML, SOURCE.txt)" 4 "$(summary .files.skipped)"
check "otrf: files failed" 0 "$(summary .files.failed)"
# jq -r '."@timestamp"' | sort | sed -n '1p;$p' -> 2020-09-14T00:44:20.000Z .. 01:13:20.000Z
check "otrf: first seen from @timestamp" 2020-09-14T00:44:20Z "$(summary .first_seen)"
check "otrf: last seen from @timestamp" 2020-09-14T01:13:20Z "$(summary .last_seen)"
if grep -q "103 records have no eventTime; their @timestamp was used" "$err"; then
  ok "otrf: the @timestamp fallback is noted on stderr"
else
  bad "otrf: no @timestamp note on stderr: $(head -3 "$err")"
fi
csv=$O/datasets/atomic/aws/discovery/AWS_S3_HoneyBucketLogs.csv
th "otrf csv" timeline "$csv" --format jsonl
check "otrf: the CSV named alone is skipped, exit" 0 "$rc"
check "otrf: the CSV named alone gives no records" 0 "$(summary .records.read)"
check "otrf: the CSV named alone counts as skipped" 1 "$(summary .files.skipped)"
if grep -q "not JSON" "$err"; then ok "otrf: the CSV named alone is noted as not JSON"; else
  bad "otrf: no 'not JSON' note for the CSV: $(head -3 "$err")"; fi

# ==== suzaku: 6 CloudTrail files (33 events) and 2 Azure files ================================
S=$data/suzaku
# jq 'if type == "array" then length else (.Records | length) end' per file:
# test.json 29, DeleteTrail/LookupEvents/StopLogging/UpdateTrail 1 each, PutEventSelectors 0 -> 33
th "suzaku test_files" timeline "$S/test_files" --format jsonl
check "suzaku test_files: exit" 0 "$rc"
check "suzaku test_files: event lines" 33 "$(events)"
check "suzaku test_files: files read" 6 "$(summary .files.read)"
check "suzaku test_files: records rejected" 0 "$(summary .records.rejected)"
# jq 'select(.userIdentity.type == "Root") | .userIdentity.arn' -> 26 x arn:aws:iam::015043439996:root
th "suzaku root" timeline "$S/test_files" --format jsonl --user arn:aws:iam::015043439996:root
check "suzaku: --user root ARN" 26 "$(events)"
# jq 'select(.userIdentity.userName == "TrailDiscover")' -> 4
th "suzaku TrailDiscover" timeline "$S/test_files" --format jsonl --user TrailDiscover
check "suzaku: --user TrailDiscover" 4 "$(events)"
# jq 'select(.errorCode != null)' -> 3 (AccessDenied)
th "suzaku errors" timeline "$S/test_files" --format jsonl --errors-only
check "suzaku: --errors-only" 3 "$(events)"
# The whole folder: the Azure files are not CloudTrail. azure_value_format.json is an object
# with only nextLink/value (jq keys) -> "not a CloudTrail export shape", a failed file;
# azure_graph_api_format.json is an array of 3 objects without eventTime (jq length, jq
# 'map(has("eventTime"))') -> 3 records rejected.
th suzaku timeline "$S" --format jsonl
check "suzaku: exit with the Azure files" 3 "$rc"
check "suzaku: event lines with the Azure files" 33 "$(events)"
check "suzaku: records rejected (Azure array)" 3 "$(summary .records.rejected)"
check "suzaku: files failed (Azure object)" 1 "$(summary .files.failed)"
if grep -q "azure_value_format.json: .*not a CloudTrail export shape" "$err"; then
  ok "suzaku: the Azure object is named as not a CloudTrail export shape"
else
  bad "suzaku: no shape error naming azure_value_format.json: $(head -5 "$err")"
fi
if grep -q "azure_graph_api_format.json: record 0: no eventTime" "$err"; then
  ok "suzaku: the Azure array's records are named as having no eventTime"
else
  bad "suzaku: no rejected-record message for azure_graph_api_format.json: $(head -5 "$err")"
fi

# ==== awsdocs-sample-events: NDJSON (29 lines) + Records (9) ==================================
A=$data/awsdocs-sample-events
# jq 'select(has("eventTime"))' on the NDJSON -> 29 (lines 18-19 are Insights events: they have
# eventTime but no eventName, so they are still events); jq '.Records | length' -> 9 (also 2
# Insights events). 29 + 9 = 38 used.
th awsdocs timeline "$A" --format jsonl
check "awsdocs: exit" 0 "$rc"
check "awsdocs: event lines" 38 "$(events)"
check "awsdocs: records rejected" 0 "$(summary .records.rejected)"
check "awsdocs: files read" 2 "$(summary .files.read)"
# skipped: awsdocs_cloudtrail_examples.index.tsv and SOURCE.txt
check "awsdocs: files skipped" 2 "$(summary .files.skipped)"
# jq 'select((.eventName // "") != "")' over both files -> 34 named events, so 4 without a name
check "awsdocs: events without eventName (Insights)" 4 \
  "$(jq -c 'select(.type == "event" and ((.record.eventName // "") == ""))' "$out" | wc -l | tr -d ' ')"
th "awsdocs named" timeline "$A" --format jsonl --event '?*'
check "awsdocs: --event '?*' (named events only)" 34 "$(events)"
# NDJSON line 18 (sed -n 18p | jq -r .eventType) -> AwsCloudTrailInsight, eventTime 2019-11-14T00:51:00Z
th "awsdocs ndjson" timeline "$A/awsdocs_cloudtrail_examples.ndjson" --format jsonl
check "awsdocs: NDJSON events" 29 "$(events)"
check "awsdocs: NDJSON line 18 is the Insights event at 00:51" "AwsCloudTrailInsight 2019-11-14T00:51:00Z" \
  "$(jq -r 'select(.type == "event" and .source.index == 17) | "\(.record.eventType) \(.time)"' "$out")"

# ==== cloudgrep: two good Records files, one malformed =======================================
C=$data/cloudgrep
# jq '.Records | length': cloudtrail.json 1, cloudtrail_singleline.json 1;
# jq . bad_cloudtrail.json -> "parse error: Unfinished JSON term at EOF"
th cloudgrep timeline "$C" --format jsonl
check "cloudgrep: exit with the malformed file" 3 "$rc"
check "cloudgrep: events from the good files" 2 "$(events)"
check "cloudgrep: files failed" 1 "$(summary .files.failed)"
if grep -q "bad_cloudtrail.json" "$err"; then ok "cloudgrep: the error names bad_cloudtrail.json"; else
  bad "cloudgrep: no error naming bad_cloudtrail.json: $(head -3 "$err")"; fi
check "cloudgrep: the good files' event IDs" \
  "$(jq -r '.Records[].eventID' "$C/tests/data/cloudtrail.json" "$C/tests/data/cloudtrail_singleline.json" | sort)" \
  "$(jq -r 'select(.type == "event") | .record.eventID' "$out" | sort)"
th "cloudgrep good" timeline "$C/tests/data/cloudtrail.json" "$C/tests/data/cloudtrail_singleline.json" --format jsonl
check "cloudgrep: the two good files alone, exit" 0 "$rc"
check "cloudgrep: the two good files alone, events" 2 "$(events)"

# ==== awscli-lookup-events-example: one lookup-events record ==================================
L=$data/awscli-lookup-events-example/lookup-events_ConsoleLogin.json
# jq -r '.Events[].CloudTrailEvent | fromjson | .eventTime' -> 2016-01-26T21:42:12Z (the outer
# EventTime, 2021-11-18T09:41:02-08:00, is not the event's time)
th awscli timeline "$L" --format jsonl
check "awscli: exit" 0 "$rc"
check "awscli: events" 1 "$(events)"
check "awscli: time from the inner eventTime" 2016-01-26T21:42:12Z \
  "$(jq -r 'select(.type == "event") | .time' "$out")"
# jq -r '.Events[].CloudTrailEvent | fromjson | .eventName, .eventID'
check "awscli: the inner record" \
  "$(jq -r '.Events[].CloudTrailEvent | fromjson | "\(.eventName) \(.eventID)"' "$L")" \
  "$(jq -r 'select(.type == "event") | "\(.record.eventName) \(.record.eventID)"' "$out")"

# --- detections over flaws2 (the attack of 2018-11-28), counted by hand from the records:
# With 104.102.221.250 on a custom list and AWS's ip-ranges of 2018-11-29:
#   malicious-ip-caller: every event from that address; `flaws_records | jq -r
#     'select(.sourceIPAddress=="104.102.221.250")' | wc -l` -> 27 (22 anonymous GetObject,
#     ListObjects, ListImages, BatchGetImage, GetDownloadUrlForLayer by level1, ListBuckets by
#     level3). The address is in no 2018 AWS prefix (MATCHES_against_realdata.txt lists only
#     34.234.236.212 for flaws2), so every one is high.
#   credential-exfiltration: ASIAZQNB3KHGIGYQXVVG is first used from 34.234.236.212 (an AWS
#     address) at 23:03:12, then from 104.102.221.250 for ListObjects, ListImages,
#     BatchGetImage and GetDownloadUrlForLayer -> 4, high. ASIAZQNB3KHGNXWXBSJS (level3) is
#     only ever seen outside AWS -> 0.
#   No sign-in events, no network changes: 0 for every other rule.
echo 104.102.221.250 >"$tmp/custom.txt"
ranges=$data/iplists/aws-ip-ranges/ip-ranges_2018-11-29.json
th flaws2-scan scan "$F" --threat-list "custom=$tmp/custom.txt" --aws-ip-ranges "$ranges" --format jsonl
check "flaws2 scan: exit" 0 "$rc"
check "flaws2 scan: findings" 31 "$(summary .findings.total)"
check "flaws2 scan: malicious-ip-caller" 27 "$(summary '.findings.by_rule["malicious-ip-caller"]')"
check "flaws2 scan: credential-exfiltration" 4 "$(summary '.findings.by_rule["credential-exfiltration"]')"
check "flaws2 scan: all high" 31 "$(summary .findings.by_severity.high)"
check "flaws2 scan: malicious-ip-caller events are the address's events" \
  "$(flaws_records | jq -r 'select(.sourceIPAddress=="104.102.221.250") | .eventID' | sort)" \
  "$(jq -r 'select(.type=="finding" and .rule=="malicious-ip-caller") | .event_id' "$out" | sort)"
check "flaws2 scan: exfiltration events" \
  "$(flaws_records | jq -r 'select(.userIdentity.accessKeyId=="ASIAZQNB3KHGIGYQXVVG" and .sourceIPAddress=="104.102.221.250") | .eventID' | sort)" \
  "$(jq -r 'select(.type=="finding" and .rule=="credential-exfiltration") | .event_id' "$out" | sort)"
check "flaws2 scan: GuardDuty types" \
  "InstanceCredentialExfiltration.OutsideAWS 4
MaliciousIPCaller.Custom 27" \
  "$(jq -r 'select(.type=="finding") | .guardduty_type | split("/")[1]' "$out" | sort | uniq -c | awk '{print $2, $1}')"
# The stolen key's whole story: its 8 findings (4 + 4) and all 9 of its events
# (`flaws_records | jq 'select(.userIdentity.accessKeyId=="ASIAZQNB3KHGIGYQXVVG")' -> 9), all
# within 24 h before its first finding.
th flaws2-investigate investigate "$F" --access-key ASIAZQNB3KHGIGYQXVVG \
  --threat-list "custom=$tmp/custom.txt" --aws-ip-ranges "$ranges" --format jsonl
check "flaws2 investigate: exit" 0 "$rc"
check "flaws2 investigate: findings" 8 "$(jq -c 'select(.type=="finding")' "$out" | wc -l | tr -d ' ')"
check "flaws2 investigate: events" 9 "$(events)"
check "flaws2 investigate: event IDs" \
  "$(flaws_records | jq -r 'select(.userIdentity.accessKeyId=="ASIAZQNB3KHGIGYQXVVG") | .eventID' | sort)" \
  "$(jq -r 'select(.type=="event") | .record.eventID' "$out" | sort)"
th flaws2-fail-on scan "$F" --threat-list "custom=$tmp/custom.txt" --fail-on high --format jsonl
check "flaws2 scan --fail-on high: exit" 1 "$rc"

echo "realdata: $pass passed, $fail failed"
[ "$fail" = 0 ] || exit 1
exit 0
