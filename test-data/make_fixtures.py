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


AWS_RANGES = {
    "syncToken": "1773480000", "createDate": "2026-03-14-09-00-00",
    "prefixes": [
        {"ip_prefix": "3.80.0.0/12", "region": "us-east-1", "service": "AMAZON",
         "network_border_group": "us-east-1"},
        {"ip_prefix": "3.80.0.0/12", "region": "us-east-1", "service": "EC2",
         "network_border_group": "us-east-1"},
        {"ip_prefix": "52.94.0.0/22", "region": "us-east-1", "service": "AMAZON",
         "network_border_group": "us-east-1"},
    ],
    "ipv6_prefixes": [
        {"ipv6_prefix": "2600:1f18::/33", "region": "us-east-1", "service": "EC2",
         "network_border_group": "us-east-1"},
    ],
}


def ec2(time, name, identity, ip, request, response=None, error=None):
    return event(time, name, "ec2.amazonaws.com", identity, ip, request=request,
                 response=response, error=error, read_only=False, eid=f"{name}-{time[11:19]}")


def ingress_perm(proto, lo, hi, v4=(), v6=()):
    return {"ipProtocol": proto, "fromPort": lo, "toPort": hi, "groups": {},
            "ipRanges": {"items": [{"cidrIp": c} for c in v4]} if v4 else {},
            "ipv6Ranges": {"items": [{"cidrIpv6": c} for c in v6]} if v6 else {},
            "prefixListIds": {}}


def detections():
    """Positives and negatives for every rule; the expected findings are in tests/cli."""
    d = "detect"
    write(f"{d}/lists/custom.txt", "# custom threat list\n203.0.113.66\n3.80.1.10/32\n"
                                   "203.0.113.99 ; also trusted\n2001:db8:bad::/48\n")
    write(f"{d}/lists/tor-exits.txt", "185.220.101.45\n")
    write(f"{d}/lists/trusted.txt", "203.0.113.99\n")
    write(f"{d}/lists/signin-allow.txt", "198.51.100.0/24\n2001:db8:1::/64\n")
    write(f"{d}/lists/aws-ip-ranges.json", json.dumps(AWS_RANGES, indent=1))
    login_ok = {"ConsoleLogin": "Success"}
    login_fail = {"ConsoleLogin": "Failure"}

    def login(t, ip, resp, mfa="No", name="ConsoleLogin", ident=ALICE, error=None):
        return event(t, name, "signin.amazonaws.com", ident, ip, response=resp,
                     agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0", read_only=False,
                     error=error, extra={"additionalEventData": {"MFAUsed": mfa,
                                         "LoginTo": "https://console.aws.amazon.com/"}},
                     eid=f"signin-{t[11:19]}")
    signin = [
        login("2026-03-14T08:00:00Z", "203.0.113.66", login_ok),                  # outside
        login("2026-03-14T08:01:00Z", "198.51.100.10", login_ok, mfa="Yes"),      # allowed
        login("2026-03-14T08:02:00Z", "203.0.113.67", login_fail,
              error=("Failed authentication", "Failed authentication")),         # outside, failed
        login("2026-03-14T08:03:00Z", "::ffff:198.51.100.11", login_ok),          # mapped, allowed
        login("2026-03-14T08:04:00Z", "AWS Internal", None, name="CheckMfa"),      # fail closed
        login("2026-03-14T08:05:00Z", "2001:db8:1::5", login_ok),                 # v6 allowed
        login("2026-03-14T08:06:00Z", "2001:db8:2::5", None, name="GetSigninToken"),  # v6 outside
        event("2026-03-14T08:07:00Z", "ListBuckets", "s3.amazonaws.com", ALICE, "203.0.113.66",
              eid="signin-not-a-signin"),                                        # not a sign-in
    ]
    write(f"{d}/signin.json", json.dumps({"Records": signin}, indent=1))

    carol = iam_user("carol", "AKIAEXAMPLECAROL0001")
    malicious = [
        # carol's baseline: s3 ListBuckets and GetObject, aws-cli, us-east-1, from clean addresses.
        event("2026-03-14T09:00:00Z", "ListBuckets", "s3.amazonaws.com", carol, "198.51.100.30",
              eid="mal-baseline-1"),
        event("2026-03-14T09:01:00Z", "GetObject", "s3.amazonaws.com", carol, "198.51.100.30",
              eid="mal-baseline-2"),
        # listed, inside AWS, nothing unexpected -> informational (Recon: Get/List/Describe)
        event("2026-03-14T09:10:00Z", "ListBuckets", "s3.amazonaws.com", carol, "3.80.1.10",
              eid="mal-info"),
        # listed, inside AWS, one unexpected property (action) -> low
        event("2026-03-14T09:11:00Z", "PutObject", "s3.amazonaws.com", carol, "3.80.1.10",
              eid="mal-low", read_only=False),
        # listed, inside AWS, two unexpected (action, region) -> high
        event("2026-03-14T09:12:00Z", "PutObject", "s3.amazonaws.com", carol, "3.80.1.10",
              region="ap-southeast-2", eid="mal-high-two", read_only=False),
        # listed, outside AWS, nothing unexpected -> high
        event("2026-03-14T09:13:00Z", "GetObject", "s3.amazonaws.com", carol, "203.0.113.66",
              eid="mal-high-outside"),
        # a Tor exit -> TorIPCaller, outside AWS -> high; CreateUser is UnauthorizedAccess
        event("2026-03-14T09:14:00Z", "CreateUser", "iam.amazonaws.com", carol, "185.220.101.45",
              eid="mal-tor", read_only=False),
        # on a threat list and a trusted list -> suppressed
        event("2026-03-14T09:15:00Z", "ListBuckets", "s3.amazonaws.com", carol, "203.0.113.99",
              eid="mal-trusted"),
        # a mapped IPv6 source is looked up as its IPv4 address -> listed, high
        event("2026-03-14T09:16:00Z", "ListBuckets", "s3.amazonaws.com", carol,
              "::ffff:203.0.113.66", eid="mal-mapped"),
        # an IPv6 source in a listed /48 -> high
        event("2026-03-14T09:17:00Z", "ListBuckets", "s3.amazonaws.com", carol, "2001:db8:bad::7",
              eid="mal-v6"),
        # a service-name source is never on a list
        event("2026-03-14T09:18:00Z", "ListBuckets", "s3.amazonaws.com", carol,
              "s3.amazonaws.com", eid="mal-service"),
        # a leading-zero address is not an address: never matched
        event("2026-03-14T09:19:00Z", "ListBuckets", "s3.amazonaws.com", carol, "203.000.113.66",
              eid="mal-leading-zero"),
    ]
    write(f"{d}/malicious.json", json.dumps({"Records": malicious}, indent=1))

    worker = assumed_role("worker", "i-0abc123def4567890", "ASIAEXAMPLEWORKER001")
    laptop = assumed_role("admin", "dave", "ASIAEXAMPLELAPTOP001")
    exfil = [
        event("2026-03-14T10:00:00Z", "DescribeInstances", "ec2.amazonaws.com", worker,
              "3.80.1.20", eid="exf-aws-1"),
        event("2026-03-14T10:05:00Z", "ListBuckets", "s3.amazonaws.com", worker, "192.0.2.200",
              eid="exf-outside"),                                       # positive
        event("2026-03-14T10:06:00Z", "GetObject", "s3.amazonaws.com", worker, "192.0.2.200",
              eid="exf-outside-2"),                                     # positive
        event("2026-03-14T09:00:00Z", "ListBuckets", "s3.amazonaws.com", laptop, "192.0.2.50",
              eid="exf-laptop-only"),                                   # never seen from AWS
        event("2026-03-14T10:07:00Z", "ListBuckets", "s3.amazonaws.com", ALICE, "3.80.1.21",
              eid="exf-akia-aws"),
        event("2026-03-14T10:08:00Z", "ListBuckets", "s3.amazonaws.com", ALICE, "192.0.2.201",
              eid="exf-akia-outside"),                                  # long-term key: no
    ]
    write(f"{d}/exfiltration.json", json.dumps({"Records": exfil}, indent=1))

    netadmin = iam_user("netadmin", "AKIAEXAMPLENETADMIN1")
    sg = "sg-0123456789abcdef0"
    network = [
        ec2("2026-03-14T11:00:00Z", "CreateRoute", BOB, "198.51.100.40",
            {"routeTableId": "rtb-1", "destinationCidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}),
        ec2("2026-03-14T11:01:00Z", "DeleteFlowLogs", BOB, "198.51.100.40",
            {"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-1", "tag": 1}}}),
        ec2("2026-03-14T11:02:00Z", "CreateRouteTable", netadmin, "198.51.100.41",
            {"vpcId": "vpc-1"}),
        ec2("2026-03-14T11:03:00Z", "AuthorizeSecurityGroupIngress", BOB, "198.51.100.40",
            {"groupId": sg, "ipPermissions": {"items": [ingress_perm("tcp", 22, 22, v4=["0.0.0.0/0"])]}},
            error=("Client.UnauthorizedOperation", "You are not authorized")),
        event("2026-03-14T11:04:00Z", "DescribeVpcs", "ec2.amazonaws.com", BOB, "198.51.100.40",
              eid="net-describe"),
        event("2026-03-14T11:05:00Z", "CreateRoute", "apigateway.amazonaws.com", BOB,
              "198.51.100.40", read_only=False, eid="net-apigw-route"),
        ec2("2026-03-14T11:06:00Z", "AllocateAddress", BOB, "198.51.100.40", {"domain": "vpc"}),
    ]
    write(f"{d}/network.json", json.dumps({"Records": network}, indent=1))

    ingress = [
        # 0.0.0.0/0 to SSH: high
        ec2("2026-03-14T12:00:00Z", "AuthorizeSecurityGroupIngress", BOB, "198.51.100.40",
            {"groupId": sg, "ipPermissions": {"items": [ingress_perm("tcp", 22, 22, v4=["0.0.0.0/0"])]}}),
        # a /0 written with host bits: still world-open, high
        ec2("2026-03-14T12:01:00Z", "AuthorizeSecurityGroupIngress", BOB, "198.51.100.40",
            {"groupId": sg, "ipPermissions": {"items": [ingress_perm("tcp", 3389, 3389, v4=["1.2.3.4/0"])]}}),
        # ::/0 in ipv6Ranges to 443: medium
        ec2("2026-03-14T12:02:00Z", "AuthorizeSecurityGroupIngress", BOB, "198.51.100.40",
            {"groupId": sg, "ipPermissions": {"items": [ingress_perm("tcp", 443, 443, v6=["::/0"])]}}),
        # the flat form, all protocols: high
        ec2("2026-03-14T12:03:00Z", "AuthorizeSecurityGroupIngress", BOB, "198.51.100.40",
            {"groupName": "legacy", "cidrIp": "0.0.0.0/0", "ipProtocol": "-1"}),
        # only the response's rule set names the range: high (3389)
        ec2("2026-03-14T12:04:00Z", "AuthorizeSecurityGroupIngress", BOB, "198.51.100.40",
            {"groupId": sg, "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 3389,
                                                          "toPort": 3389, "prefixListIds": {}}]}},
            response={"requestId": "r", "_return": True, "securityGroupRuleSet": {"items": [
                {"groupOwnerId": ACCOUNT, "groupId": sg, "securityGroupRuleId": "sgr-1",
                 "isEgress": False, "ipProtocol": "tcp", "fromPort": 3389, "toPort": 3389,
                 "cidrIpv4": "0.0.0.0/0"}]}}),
        # ModifySecurityGroupRules with a wide private range to 80: low
        ec2("2026-03-14T12:05:00Z", "ModifySecurityGroupRules", BOB, "198.51.100.40",
            {"ModifySecurityGroupRulesRequest": {"GroupId": sg, "SecurityGroupRule": {
                "SecurityGroupRuleId": "sgr-2", "SecurityGroupRule": {
                    "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIpv4": "10.0.0.0/8"},
                "tag": 1}}}),
        # ModifySecurityGroupRules world-open, all protocols: high
        ec2("2026-03-14T12:06:00Z", "ModifySecurityGroupRules", BOB, "198.51.100.40",
            {"ModifySecurityGroupRulesRequest": {"GroupId": sg, "SecurityGroupRule": {
                "SecurityGroupRuleId": "sgr-3", "SecurityGroupRule": {
                    "IpProtocol": "-1", "CidrIpv4": "0.0.0.0/0"}, "tag": 1}}}),
        # a narrow range to SSH: nothing
        ec2("2026-03-14T12:07:00Z", "AuthorizeSecurityGroupIngress", BOB, "198.51.100.40",
            {"groupId": sg, "ipPermissions": {"items": [ingress_perm("tcp", 22, 22, v4=["203.0.113.0/24"])]}}),
        # egress is not ingress: nothing from sg-ingress-open
        ec2("2026-03-14T12:08:00Z", "AuthorizeSecurityGroupEgress", BOB, "198.51.100.40",
            {"groupId": sg, "ipPermissions": {"items": [ingress_perm("-1", -1, -1, v4=["0.0.0.0/0"])]}}),
        # network ACL: world-open SSH allow ingress: high
        ec2("2026-03-14T12:10:00Z", "CreateNetworkAclEntry", BOB, "198.51.100.40",
            {"networkAclId": "acl-1", "ruleNumber": 100, "egress": False, "ruleAction": "allow",
             "icmpTypeCode": {}, "portRange": {"from": 22, "to": 22}, "aclProtocol": "6",
             "cidrBlock": "0.0.0.0/0"}),
        # egress entry: nothing from nacl-entry-open
        ec2("2026-03-14T12:11:00Z", "CreateNetworkAclEntry", BOB, "198.51.100.40",
            {"networkAclId": "acl-1", "ruleNumber": 101, "egress": True, "ruleAction": "allow",
             "aclProtocol": "-1", "cidrBlock": "0.0.0.0/0"}),
        # deny entry: nothing
        ec2("2026-03-14T12:12:00Z", "CreateNetworkAclEntry", BOB, "198.51.100.40",
            {"networkAclId": "acl-1", "ruleNumber": 102, "egress": False, "ruleAction": "deny",
             "aclProtocol": "-1", "cidrBlock": "0.0.0.0/0"}),
        # IPv6 all traffic: high
        ec2("2026-03-14T12:13:00Z", "ReplaceNetworkAclEntry", BOB, "198.51.100.40",
            {"networkAclId": "acl-1", "ruleNumber": 103, "egress": False, "ruleAction": "allow",
             "aclProtocol": "-1", "ipv6CidrBlock": "::/0"}),
        # DNS from anywhere: medium
        ec2("2026-03-14T12:14:00Z", "ReplaceNetworkAclEntry", BOB, "198.51.100.40",
            {"networkAclId": "acl-1", "ruleNumber": 104, "egress": False, "ruleAction": "allow",
             "aclProtocol": "17", "portRange": {"from": 53, "to": 53}, "cidrBlock": "0.0.0.0/0"}),
    ]
    write(f"{d}/ingress.json", json.dumps({"Records": ingress}, indent=1))


def sample():
    """The bundled incident: a leaked access key used from a listed address, then a pivot."""
    root = f"sample/AWSLogs/{ACCOUNT}/CloudTrail/us-east-1/2026/03/14"
    write("sample/lists/threat-custom.txt",
          "# addresses seen in the phishing campaign (example data)\n203.0.113.66\n")
    write("sample/lists/tor-exits.txt", "185.220.101.45\n185.220.101.46\n")
    write("sample/lists/office.txt", "# office and VPN egress\n198.51.100.0/24\n")
    write("sample/lists/aws-ip-ranges.json", json.dumps(AWS_RANGES, indent=1))
    write("sample/trailhound.toml",
          "# trailhound configuration for the bundled sample (paths relative to the project)\n"
          "threat-list = [\"custom=test-data/sample/lists/threat-custom.txt\", "
          "\"tor=test-data/sample/lists/tor-exits.txt\"]\n"
          "signin-allowlist = [\"test-data/sample/lists/office.txt\"]\n"
          "aws-ip-ranges = [\"test-data/sample/lists/aws-ip-ranges.json\"]\n")
    ua_cli = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64"
    ua_boto = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 lang/python#3.12.1"
    office = "198.51.100.10"
    bad = "203.0.113.66"
    tor = "185.220.101.45"
    batches = {
        "0905": [
            event("2026-03-14T09:00:10Z", "ListBuckets", "s3.amazonaws.com", BOB, office, agent=ua_cli),
            event("2026-03-14T09:01:00Z", "DescribeInstances", "ec2.amazonaws.com", BOB, office, agent=ua_cli),
            event("2026-03-14T09:02:30Z", "GetObject", "s3.amazonaws.com", BOB, office, agent=ua_cli),
            event("2026-03-14T09:03:00Z", "DescribeInstances", "ec2.amazonaws.com", DEPLOY, "3.80.1.20", agent=ua_boto),
        ],
        "1005": [
            event("2026-03-14T10:00:05Z", "ConsoleLogin", "signin.amazonaws.com", ALICE, office,
                  agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/123.0", response={"ConsoleLogin": "Success"},
                  read_only=False, extra={"additionalEventData": {"MFAUsed": "Yes"}}),
            event("2026-03-14T10:02:00Z", "DescribeSecurityGroups", "ec2.amazonaws.com", ALICE, office,
                  agent="console.ec2.amazonaws.com"),
        ],
        "1110": [
            event("2026-03-14T11:02:11Z", "GetCallerIdentity", "sts.amazonaws.com", BOB, bad, agent=ua_boto),
            event("2026-03-14T11:02:40Z", "ListBuckets", "s3.amazonaws.com", BOB, bad, agent=ua_boto),
            event("2026-03-14T11:03:05Z", "ListUsers", "iam.amazonaws.com", BOB, bad, agent=ua_boto,
                  region="us-east-1"),
            event("2026-03-14T11:04:00Z", "CreateAccessKey", "iam.amazonaws.com", BOB, bad, agent=ua_boto,
                  request={"userName": "bob"}, read_only=False,
                  response={"accessKey": {"accessKeyId": "AKIAEXAMPLEBOB000002", "status": "Active",
                                          "userName": "bob"}}),
            event("2026-03-14T11:05:00Z", "ConsoleLogin", "signin.amazonaws.com", BOB, bad,
                  agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/122.0", response={"ConsoleLogin": "Success"},
                  read_only=False, extra={"additionalEventData": {"MFAUsed": "No"}}),
        ],
        "1120": [
            ec2("2026-03-14T11:12:00Z", "AuthorizeSecurityGroupIngress", BOB, bad,
                {"groupId": "sg-0123456789abcdef0",
                 "ipPermissions": {"items": [ingress_perm("tcp", 22, 22, v4=["0.0.0.0/0"])]}}),
            ec2("2026-03-14T11:13:00Z", "CreateNetworkAclEntry", BOB, bad,
                {"networkAclId": "acl-1", "ruleNumber": 90, "egress": False, "ruleAction": "allow",
                 "aclProtocol": "-1", "cidrBlock": "0.0.0.0/0"}),
            ec2("2026-03-14T11:14:00Z", "DeleteFlowLogs", BOB, tor,
                {"DeleteFlowLogsRequest": {"FlowLogId": {"content": "fl-0a1b2c", "tag": 1}}}),
            event("2026-03-14T11:15:00Z", "StopLogging", "cloudtrail.amazonaws.com", BOB, tor,
                  agent=ua_boto, request={"name": "management-trail"}, read_only=False,
                  error=("AccessDenied", "User: arn:aws:iam::111122223333:user/bob is not authorized")),
        ],
        "1210": [
            # The deploy role's temporary key, first used inside AWS, now used from outside.
            event("2026-03-14T12:01:00Z", "ListBuckets", "s3.amazonaws.com", DEPLOY, "192.0.2.200", agent=ua_cli),
            event("2026-03-14T12:02:00Z", "GetSecretValue", "secretsmanager.amazonaws.com", DEPLOY, "192.0.2.200",
                  agent=ua_cli, request={"secretId": "prod/db"}),
            event("2026-03-14T12:05:00Z", "DescribeInstances", "ec2.amazonaws.com", ALICE, office,
                  agent="console.ec2.amazonaws.com"),
        ],
    }
    names = {"0905": "a1", "1005": "b2", "1110": "c3", "1120": "d4", "1210": "e5"}
    for hhmm, recs in batches.items():
        name = f"{ACCOUNT}_CloudTrail_us-east-1_20260314T{hhmm}Z_{names[hhmm]}Sample0000.json.gz"
        write(f"{root}/{name}", gz(json.dumps({"Records": recs}).encode()), binary=True)
    write(f"sample/AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-1/2026/03/14/"
          f"{ACCOUNT}_CloudTrail-Digest_us-east-1_trail_us-east-1_20260314T130000Z.json.gz",
          gz(json.dumps({"awsAccountId": ACCOUNT, "digestStartTime": "2026-03-14T12:00:00Z",
                         "digestEndTime": "2026-03-14T13:00:00Z", "logFiles": []}).encode()),
          binary=True)


def salvage_event(i):
    """A small record, so that the 1,000-record salvage files stay small."""
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
                         "accountId": ACCOUNT, "userName": "alice"},
        "eventTime": "2026-03-14T%02d:%02d:%02dZ" % (10 + i // 3600, i // 60 % 60, i % 60),
        "eventSource": "s3.amazonaws.com",
        "eventName": "GetObject",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.10",
        "eventID": f"salvage-{i}",
    }


def salvage():
    """Damaged files that must still give every whole record: 1,000 records each, with one
    garbage line or one unbalanced quote in the middle, cut at both ends, a gzip stream cut in
    half; UTF-16 exports; a record with eventTime twice."""
    d = "hostile/salvage"
    recs = [json.dumps(salvage_event(i), separators=(",", ":")) for i in range(1000)]
    lines = [r + "\n" for r in recs]
    # One garbage line after line 500: it becomes line 501.
    write(f"{d}/ndjson-garbage-line.ndjson",
          "".join(lines[:500]) + "this line is not JSON at all\n" + "".join(lines[500:]))
    # Record 500 (line 501) loses the quote that closes its userAgent-like value.
    broken = recs[500].replace('"eventName":"GetObject"', '"eventName":"GetObject')
    write(f"{d}/ndjson-unbalanced-quote.ndjson", "".join(lines[:500]) + broken + "\n" +
          "".join(lines[501:]))
    write(f"{d}/records-unbalanced-quote.json",
          '{"Records":[' + ",".join(recs[:500] + [broken] + recs[501:]) + "]}\n")
    write(f"{d}/records-garbage.json",
          '{"Records":[' + ",".join(recs[:500]) + ",garbage}}]," + ",".join(recs[500:]) + "]}\n")
    whole = '{"Records":[' + ",".join(recs) + "]}\n"
    # A capture that starts inside record 0 and stops inside record 999.
    write(f"{d}/records-cut-both-ends.json", whole[40:-60])
    nd = "".join(lines)
    write(f"{d}/ndjson-cut-both-ends.ndjson", nd[40:-60])
    z = gz(nd.encode())
    write(f"{d}/ndjson-cut-half.ndjson.gz", z[: len(z) // 2], binary=True)
    three = [salvage_event(i) for i in range(3)]
    three[1]["userIdentity"]["userName"] = "al\u00efce \U0001F600"  # non-ASCII, a surrogate pair
    three[1]["userIdentity"]["arn"] = f"arn:aws:iam::{ACCOUNT}:user/al\u00efce"
    text = json.dumps({"Records": three}, indent=1, ensure_ascii=False)
    write(f"{d}/utf16-le.json", b"\xff\xfe" + text.encode("utf-16-le"), binary=True)
    write(f"{d}/utf16-be.json", b"\xfe\xff" + text.encode("utf-16-be"), binary=True)
    dup = json.dumps(salvage_event(1), separators=(",", ":"))
    dup = dup.replace('"eventSource"', '"eventTime":"2026-03-14T23:59:59Z","eventSource"')
    # A trusted list with a line that would trust every address.
    write(f"{d}/trust-everything.txt", "# office\n198.51.100.0/24\n0.0.0.0/0\n")
    write(f"{d}/duplicate-eventtime.json", '{"Records":[' + ",".join(
        [recs[0], dup, recs[2]]) + "]}\n")


def duplicates():
    """Two trails delivering the same events: an organisation trail and an account trail.

    Shared events are byte-identical records with one eventID; the org trail also has an event
    of its own, the account trail one without sourceIPAddress, userAgent or awsRegion. Two
    records share an eventID but differ (not copies), and one record without an eventID is in
    both files (never a copy)."""
    d = "duplicates"
    ua = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64"
    shared = [
        event("2026-03-14T09:00:00Z", "ListBuckets", "s3.amazonaws.com", ALICE, "198.51.100.10",
              agent=ua, eid="dup-0001"),
        event("2026-03-14T09:05:00Z", "GetObject", "s3.amazonaws.com", ALICE, "203.0.113.66",
              agent=ua, request={"bucketName": "payroll", "key": "2026-03.csv"}, eid="dup-0002"),
        event("2026-03-14T09:10:00Z", "DescribeInstances", "ec2.amazonaws.com", BOB,
              "198.51.100.11", agent=ua, eid="dup-0003"),
    ]
    no_id = event("2026-03-14T09:20:00Z", "ListUsers", "iam.amazonaws.com", BOB, "198.51.100.11",
                  agent=ua)
    del no_id["eventID"]
    same_id_org = event("2026-03-14T09:30:00Z", "GetCallerIdentity", "sts.amazonaws.com", BOB,
                        "198.51.100.11", agent=ua, eid="dup-0004")
    same_id_acct = copy.deepcopy(same_id_org)
    same_id_acct["userAgent"] = "Boto3/1.34.0"
    org_only = event("2026-03-14T09:40:00Z", "ListRoles", "iam.amazonaws.com", ALICE,
                     "198.51.100.10", agent=ua, eid="dup-0005")
    absent = event("2026-03-14T09:50:00Z", "GetSessionToken", "sts.amazonaws.com", BOB, None,
                   agent=ua, eid="dup-0006")
    for k in ("sourceIPAddress", "userAgent", "awsRegion"):
        del absent[k]
    org = shared + [no_id, same_id_org, org_only]
    # The account trail delivers in its own order.
    acct = [shared[2], shared[0], no_id, same_id_acct, shared[1], absent]
    write(f"{d}/org-trail/{ACCOUNT}_CloudTrail_us-east-1_20260314T0955Z_org.json",
          json.dumps({"Records": org}, indent=1))
    write(f"{d}/account-trail/{ACCOUNT}_CloudTrail_us-east-1_20260314T0955Z_acct.json",
          json.dumps({"Records": acct}, indent=1))


def main():
    shapes()
    identities()
    times()
    bad_files()
    detections()
    sample()
    salvage()
    duplicates()


if __name__ == "__main__":
    main()
