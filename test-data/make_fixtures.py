#!/usr/bin/env python3
"""Writes trailhound's own test fixtures under test-data/ (deterministic; run from anywhere).

The fixtures are small CloudTrail files in every export shape trailhound reads, one event per
identity type, every timestamp form, the bad files trailhound must report, and the bundled
sample incident under test-data/sample/ that the README's first command scans.
"""
import copy
import gzip
import io
import json
import os
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ACCOUNT = "111122223333"


def path(*parts):
    p = os.path.join(HERE, *parts)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def gz(data: bytes) -> bytes:
    buf = io.BytesIO()
    # mtime=0 keeps the bytes identical from run to run.
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=6, mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def write(rel, data, binary=False):
    mode = "wb" if binary else "w"
    with open(path(*rel.split("/")), mode) as f:
        f.write(data)


def iam_user(name, key, account=ACCOUNT):
    return {
        "type": "IAMUser",
        "principalId": "AIDA" + name.upper().ljust(17, "X")[:17],
        "arn": f"arn:aws:iam::{account}:user/{name}",
        "accountId": account,
        "accessKeyId": key,
        "userName": name,
    }


def assumed_role(role, session, key, account=ACCOUNT, mfa="false"):
    return {
        "type": "AssumedRole",
        "principalId": f"AROA{role.upper().ljust(17, 'X')[:17]}:{session}",
        "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}",
        "accountId": account,
        "accessKeyId": key,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": f"AROA{role.upper().ljust(17, 'X')[:17]}",
                "arn": f"arn:aws:iam::{account}:role/{role}",
                "accountId": account,
                "userName": role,
            },
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-03-14T09:00:00Z", "mfaAuthenticated": mfa},
        },
    }


def event(time, name, source, identity, ip, agent="aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
          region="us-east-1", request=None, response=None, error=None, read_only=None, eid=None,
          extra=None):
    e = {
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
    }
    if error:
        e["errorCode"] = error[0]
        e["errorMessage"] = error[1]
    e["requestParameters"] = request
    e["responseElements"] = response
    e["requestID"] = f"req-{zlib.crc32((time + name).encode()):010d}"
    e["eventID"] = eid or f"ev-{time.replace(':', '').replace('-', '')}-{name}"
    if read_only is None:
        read_only = name.startswith(("Describe", "List", "Get"))
    e["readOnly"] = read_only
    e["eventType"] = "AwsApiCall"
    e["managementEvent"] = True
    e["recipientAccountId"] = ACCOUNT
    if extra:
        e.update(extra)
    return e


ALICE = iam_user("alice", "AKIAEXAMPLEALICE0001")
BOB = iam_user("bob", "AKIAEXAMPLEBOB000001")
DEPLOY = assumed_role("deploy", "ci-run-42", "ASIAEXAMPLEDEPLOY001")


def shapes():
    """One fixture per export shape; each holds events the golden tests count."""
    base = [
        event("2026-03-14T10:00:00Z", "ListBuckets", "s3.amazonaws.com", ALICE, "198.51.100.10"),
        event("2026-03-14T10:01:00Z", "DescribeInstances", "ec2.amazonaws.com", ALICE,
              "198.51.100.10", region="eu-west-1"),
        event("2026-03-14T10:02:00Z", "GetCallerIdentity", "sts.amazonaws.com", BOB,
              "203.0.113.66"),
    ]
    records = json.dumps({"Records": base}).encode()
    write("shapes/records.json.gz", gz(records), binary=True)
    # The same document split across two gzip members, as `cat a.gz b.gz` makes.
    half = len(records) // 2
    write("shapes/records-multimember.json.gz", gz(records[:half]) + gz(records[half:]),
          binary=True)
    write("shapes/array.json", json.dumps(base, indent=2))
    write("shapes/single.json", json.dumps(base[0], indent=2))
    write("shapes/events.ndjson", "".join(json.dumps(e) + "\n" for e in base))
    lookup = {"Events": [
        {"EventId": e["eventID"], "EventName": e["eventName"], "ReadOnly": "true",
         "EventTime": "2026-03-14T02:00:00-08:00", "EventSource": e["eventSource"],
         "Username": "alice", "Resources": [], "CloudTrailEvent": json.dumps(e)} for e in base],
        "NextToken": "token"}
    write("shapes/lookup-events.json", json.dumps(lookup, indent=4))
    lake_rows = []
    for e in base:
        row = [{"eventTime": e["eventTime"].replace("T", " ").replace("Z", ".000")},
               {"eventName": e["eventName"]}, {"eventSource": e["eventSource"]},
               {"awsRegion": e["awsRegion"]}, {"sourceIPAddress": e["sourceIPAddress"]},
               {"userIdentity": e["userIdentity"]}, {"eventID": e["eventID"]}]
        lake_rows.append(row)
    write("shapes/lake-results.json", json.dumps(
        {"QueryStatus": "FINISHED", "QueryStatistics": {"ResultsCount": 3, "TotalResultsCount": 3},
         "QueryResultRows": lake_rows}, indent=2))
    envelopes = ""
    for i, chunk in enumerate([base[:2], base[2:]]):
        envelopes += json.dumps({
            "messageType": "DATA_MESSAGE", "owner": ACCOUNT,
            "logGroup": "aws-cloudtrail-logs", "logStream": f"{ACCOUNT}_CloudTrail_us-east-1",
            "subscriptionFilters": ["all"],
            "logEvents": [{"id": str(100 + j), "timestamp": 1773482400000 + j,
                           "message": json.dumps(e)} for j, e in enumerate(chunk)]})
    # Firehose concatenates envelopes with no separator.
    write("shapes/cloudwatch-firehose.json", envelopes)
    bridge = {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
              "detail-type": "AWS API Call via CloudTrail", "source": "aws.s3",
              "account": ACCOUNT, "time": "2026-03-14T10:00:00Z", "region": "us-east-1",
              "resources": [], "detail": base[0]}
    write("shapes/eventbridge.json", json.dumps(bridge, indent=2))
    # A digest file: skipped and counted, whatever its name.
    write("shapes/digest/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20260314T100000Z.json.gz",
          gz(json.dumps({"awsAccountId": ACCOUNT, "digestStartTime": "2026-03-14T09:00:00Z",
                         "digestEndTime": "2026-03-14T10:00:00Z", "logFiles": []}).encode()),
          binary=True)


def identities():
    """One event per userIdentity type, and one without a userIdentity."""
    ids = {
        "IAMUser": ALICE,
        "AssumedRole": DEPLOY,
        "Root": {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root",
                 "accountId": ACCOUNT, "accessKeyId": "ASIAEXAMPLEROOT00001"},
        "FederatedUser": {"type": "FederatedUser", "principalId": f"{ACCOUNT}:carol",
                          "arn": f"arn:aws:sts::{ACCOUNT}:federated-user/carol",
                          "accountId": ACCOUNT, "accessKeyId": "ASIAEXAMPLEFED000001",
                          "sessionContext": {"sessionIssuer": {
                              "type": "IAMUser", "principalId": "AIDAEXAMPLEFEDISSUER",
                              "arn": f"arn:aws:iam::{ACCOUNT}:user/federator",
                              "accountId": ACCOUNT, "userName": "federator"}}},
        "AWSService": {"type": "AWSService", "invokedBy": "cloudtrail.amazonaws.com"},
        "AWSAccount": {"type": "AWSAccount", "principalId": "AIDAEXAMPLEOTHERACCT",
                       "accountId": "444455556666"},
        "IdentityCenterUser": {"type": "IdentityCenterUser", "accountId": ACCOUNT,
                               "onBehalfOf": {"userId": "94482488-3041-7026-18f3-be45837cd0e4",
                                              "identityStoreArn": "arn:aws:identitystore::111122223333:identitystore/d-9067230000"},
                               "credentialId": "EXAMPLEUWE6bzB2mnf9lV"},
        "SAMLUser": {"type": "SAMLUser", "principalId": "SampleUkh1i4+ExamplexL/jEvs=:dave",
                     "userName": "dave", "identityProvider": "bdGOnTesti4+ExamplexL/jEvs="},
        "WebIdentityUser": {"type": "WebIdentityUser",
                            "principalId": "accounts.google.com:application-id.apps.googleusercontent.com:erin",
                            "userName": "erin", "identityProvider": "accounts.google.com"},
        "Unknown": {"type": "Unknown", "principalId": "", "accountId": ACCOUNT,
                    "userName": "someone@example.com"},
    }
    recs = []
    minute = 0
    for name, ident in ids.items():
        recs.append(event(f"2026-03-14T11:{minute:02d}:00Z", "GetCallerIdentity",
                          "sts.amazonaws.com", ident, "198.51.100.20", eid=f"id-{name}"))
        minute += 1
    missing = event(f"2026-03-14T11:{minute:02d}:00Z", "GetCallerIdentity", "sts.amazonaws.com",
                    {}, "198.51.100.20", eid="id-missing")
    del missing["userIdentity"]
    recs.append(missing)
    write("identities/identities.json", json.dumps({"Records": recs}, indent=1))


def times():
    """Every timestamp form, and records whose time is missing or unreadable (rejected)."""
    forms = [
        ("2026-03-14T12:00:00Z", "zulu"),
        ("2026-03-14T12:00:01.250Z", "fraction"),
        ("2026-03-14T13:00:02+01:00", "offset"),
        ("2026-03-14 12:00:03.500", "lake"),
        ("2026-03-14T12:00:04", "naive"),
    ]
    recs = [event(t, "ListBuckets", "s3.amazonaws.com", ALICE, "198.51.100.10", eid=f"t-{n}")
            for t, n in forms]
    bad = event("2026-13-40T99:00:00Z", "ListBuckets", "s3.amazonaws.com", ALICE,
                "198.51.100.10", eid="t-unreadable")
    missing = event("x", "ListBuckets", "s3.amazonaws.com", ALICE, "198.51.100.10",
                    eid="t-missing")
    del missing["eventTime"]
    recs += [bad, missing]
    write("times/times.json", json.dumps({"Records": recs}, indent=1))
    # Window edges: events exactly at since and exactly at until.
    edges = [event(t, "ListBuckets", "s3.amazonaws.com", ALICE, "198.51.100.10", eid=f"edge-{i}")
             for i, t in enumerate(["2026-03-14T09:59:59.999Z", "2026-03-14T10:00:00Z",
                                    "2026-03-14T10:59:59.999Z", "2026-03-14T11:00:00Z"])]
    write("times/edges.json", json.dumps({"Records": edges}))


def bad_files():
    good = json.dumps({"Records": [event("2026-03-14T10:00:00Z", "ListBuckets",
                                         "s3.amazonaws.com", ALICE, "198.51.100.10")]}).encode()
    write("bad/good.json.gz", gz(good), binary=True)
    full = gz(json.dumps({"Records": [event(f"2026-03-14T10:{i:02d}:00Z", "ListBuckets",
                                            "s3.amazonaws.com", ALICE, "198.51.100.10")
                                      for i in range(40)]}).encode())
    write("bad/truncated.json.gz", full[: len(full) * 2 // 3], binary=True)
    write("bad/not-gzip.json.gz", good, binary=True)
    write("bad/invalid.json", '{"Records": [{"eventTime": "2026-03-14T10:00:00Z", "eventName": }]}')
    write("bad/empty.json", "")
    write("bad/empty-array.json", "[]")
    write("bad/no-eventtime.json", json.dumps({"Records": [
        {"eventName": "ListBuckets", "eventSource": "s3.amazonaws.com",
         "userIdentity": ALICE, "sourceIPAddress": "198.51.100.10"},
        event("2026-03-14T10:05:00Z", "ListBuckets", "s3.amazonaws.com", ALICE,
              "198.51.100.10")]}))
    write("bad/not-json.txt", "this is a README, not a CloudTrail file\n")
    write("bad/unknown-shape.json", json.dumps({"value": [{"operationName": "x"}]}))


def main():
    shapes()
    identities()
    times()
    bad_files()


if __name__ == "__main__":
    main()
