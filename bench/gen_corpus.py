#!/usr/bin/env python3
"""Generates a synthetic CloudTrail corpus for trailhound's benchmarks (deterministic by seed).

Writes, under OUT:
  AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<id>.json.gz
      S3-delivery files ({"Records":[...]}, gzip level 6), each holding the events of a
      five-minute window, named with a delivery time a few minutes after its last event.
  lists/threat-100k.txt     100,000 IPv4 and IPv6 prefixes (the attack addresses among them)
  lists/office.txt          the sign-in allow list
  lists/aws-ip-ranges.json  AWS ranges for the synthetic AWS address space
  manifest.json             what was generated and planted, for bench/check_findings.py

The events mix IAM users (long-term keys), assumed roles (temporary keys, mostly from AWS
addresses), AWS services (service-name sources), IPv4 and IPv6 callers, reads and writes of
many services, with request and response payloads of realistic sizes. Attack events are
planted at known places: calls from listed addresses, world-open security group and network
ACL rules, sign-ins from outside the allow list, and a role key used from outside AWS.

Labelled synthetic: nothing here is real traffic.
"""
import argparse
import gzip
import ipaddress
import json
import multiprocessing
import os
import random
import string

ACCOUNT = "210987654321"
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
AWS_V4 = [ipaddress.ip_network(n) for n in ("3.80.0.0/12", "18.204.0.0/14", "52.94.0.0/16")]
AWS_V6 = [ipaddress.ip_network("2600:1f18::/33")]
OFFICE = ipaddress.ip_network("198.18.0.0/20")  # benchmark range (RFC 2544), the office egress
ATTACK_V4 = ["45.155.205.%d" % i for i in range(10, 20)]
ATTACK_V6 = ["2a0b:4140:%x::%x" % (i, i) for i in range(1, 5)]
UAS = [
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/s3.ls",
    "Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.1 cfg/retry-mode#legacy Botocore/1.34.11",
    "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64 api/s3#1.47.7",
    "aws-sdk-java/2.21.45 Linux/6.1.0 OpenJDK_64-Bit_Server_VM/17.0.9+9 Java/17.0.9 vendor/Eclipse_Adoptium io/sync http/Apache cfg/retry-mode/legacy",
    "APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0",
    "console.amazonaws.com",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
]
SERVICES = ["ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com",
            "autoscaling.amazonaws.com", "config.amazonaws.com"]


def rand_id(rng, n, alphabet=string.ascii_uppercase + string.digits):
    return "".join(rng.choice(alphabet) for _ in range(n))


def random_public_v4(rng):
    while True:
        a = rng.randrange(1, 224)
        if a in (10, 127, 169, 172, 192, 198, 100, 3, 18, 52, 45):
            continue
        return "%d.%d.%d.%d" % (a, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))


def addr_in(rng, net):
    return str(net.network_address + rng.randrange(1, min(net.num_addresses - 1, 2**32)))


class World:
    """The principals and addresses of the synthetic account."""

    def __init__(self, rng):
        self.users = []
        for i in range(200):
            name = "user%03d" % i
            self.users.append({
                "type": "IAMUser", "principalId": "AIDA" + rand_id(rng, 17),
                "arn": "arn:aws:iam::%s:user/%s" % (ACCOUNT, name), "accountId": ACCOUNT,
                "accessKeyId": "AKIA" + rand_id(rng, 16), "userName": name})
        self.roles = []
        for i in range(100):
            role = "role-%02d" % (i % 40)
            session = "i-%017x" % rng.getrandbits(68) if i % 2 else "session-%d" % i
            rid = "AROA" + rand_id(rng, 17)
            self.roles.append({
                "type": "AssumedRole", "principalId": "%s:%s" % (rid, session),
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role, session),
                "accountId": ACCOUNT, "accessKeyId": "ASIA" + rand_id(rng, 16),
                "sessionContext": {
                    "sessionIssuer": {"type": "Role", "principalId": rid,
                                      "arn": "arn:aws:iam::%s:role/%s" % (ACCOUNT, role),
                                      "accountId": ACCOUNT, "userName": role},
                    "webIdFederationData": {},
                    "attributes": {"creationDate": "2026-01-01T00:00:00Z",
                                   "mfaAuthenticated": "false"}}})
        self.user_ips = [random_public_v4(rng) for _ in range(1500)] + \
                        [addr_in(rng, OFFICE) for _ in range(300)] + \
                        ["2001:%x:%x::%x" % (rng.randrange(0x2000, 0x3fff), rng.randrange(65536),
                                             rng.randrange(1, 65536)) for _ in range(300)]
        self.aws_ips = [addr_in(rng, rng.choice(AWS_V4)) for _ in range(800)] + \
                       [addr_in(rng, AWS_V6[0]) for _ in range(100)]


def request_payload(rng, name):
    """Request and response payloads of realistic shape and size for a call."""
    if name in ("GetObject", "PutObject", "HeadObject"):
        key = "data/%s/%s.parquet" % (rand_id(rng, 8).lower(), rand_id(rng, 24).lower())
        return ({"bucketName": "analytics-%d" % rng.randrange(40), "Host": "analytics.s3.amazonaws.com",
                 "key": key}, None,
                {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                 "bytesTransferredIn": 0.0 if name != "PutObject" else float(rng.randrange(10**6)),
                 "AuthenticationMethod": "AuthHeader", "x-amz-id-2": rand_id(rng, 76),
                 "bytesTransferredOut": float(rng.randrange(10**7))})
    if name == "DescribeInstances":
        return ({"instancesSet": {"items": [{"instanceId": "i-%017x" % rng.getrandbits(68)}
                                            for _ in range(rng.randrange(1, 4))]},
                 "filterSet": {}}, None, None)
    if name == "AssumeRole":
        return ({"roleArn": "arn:aws:iam::%s:role/role-%02d" % (ACCOUNT, rng.randrange(40)),
                 "roleSessionName": "session-%d" % rng.randrange(1000), "durationSeconds": 3600},
                {"credentials": {"accessKeyId": "ASIA" + rand_id(rng, 16),
                                 "sessionToken": rand_id(rng, 360, string.ascii_letters + string.digits + "/+"),
                                 "expiration": "Jan 1, 2026, 1:00:00 AM"},
                 "assumedRoleUser": {"assumedRoleId": "AROA%s:session" % rand_id(rng, 17),
                                     "arn": "arn:aws:sts::%s:assumed-role/r/session" % ACCOUNT}}, None)
    if name in ("Decrypt", "GenerateDataKey"):
        return ({"encryptionContext": {"aws:lambda:FunctionArn": "arn:aws:lambda:us-east-1:%s:function:fn-%d" % (ACCOUNT, rng.randrange(50))},
                 "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}, None, None)
    if name == "PutLogEvents" or name == "CreateLogStream":
        return ({"logGroupName": "/aws/lambda/fn-%d" % rng.randrange(50),
                 "logStreamName": "2026/01/01/[$LATEST]%s" % rand_id(rng, 32).lower()}, None, None)
    if name == "GetParameter":
        return ({"name": "/app/%s/config" % rand_id(rng, 6).lower(), "withDecryption": True}, None, None)
    return (None, None, None)


CALLS = [  # (source, name, readOnly, weight)
    ("s3.amazonaws.com", "GetObject", True, 18), ("s3.amazonaws.com", "PutObject", False, 6),
    ("s3.amazonaws.com", "HeadObject", True, 4), ("kms.amazonaws.com", "Decrypt", True, 12),
    ("kms.amazonaws.com", "GenerateDataKey", True, 5), ("sts.amazonaws.com", "AssumeRole", True, 8),
    ("ec2.amazonaws.com", "DescribeInstances", True, 8), ("logs.amazonaws.com", "CreateLogStream", False, 5),
    ("logs.amazonaws.com", "PutLogEvents", False, 3), ("ssm.amazonaws.com", "GetParameter", True, 6),
    ("sts.amazonaws.com", "GetCallerIdentity", True, 4), ("s3.amazonaws.com", "ListBuckets", True, 3),
    ("iam.amazonaws.com", "ListRoles", True, 2), ("ec2.amazonaws.com", "DescribeSecurityGroups", True, 3),
    ("lambda.amazonaws.com", "Invoke", False, 4), ("dynamodb.amazonaws.com", "DescribeTable", True, 3),
    ("cloudwatch.amazonaws.com", "GetMetricData", True, 3),
]
CALL_WEIGHTS = [c[3] for c in CALLS]


def make_event(rng, world, when, region, plant=None):
    kind = rng.random()
    if plant is not None:
        identity, ip, ua, (source, name, ro) = plant
    elif kind < 0.45:
        identity = rng.choice(world.users)
        ip = rng.choice(world.user_ips)
        ua = rng.choice(UAS)
        source, name, ro, _ = rng.choices(CALLS, CALL_WEIGHTS)[0]
    elif kind < 0.85:
        identity = rng.choice(world.roles)
        ip = rng.choice(world.aws_ips)
        ua = rng.choice(UAS[:4])
        source, name, ro, _ = rng.choices(CALLS, CALL_WEIGHTS)[0]
    else:
        svc = rng.choice(SERVICES)
        identity = {"type": "AWSService", "invokedBy": svc}
        ip = svc
        ua = svc
        source, name, ro = ("sts.amazonaws.com", "AssumeRole", True) if rng.random() < 0.6 else \
            ("kms.amazonaws.com", "Decrypt", True)
    req, resp, extra = request_payload(rng, name) if plant is None or plant[3][1] in (
        "GetObject", "DescribeInstances") else (None, None, None)
    e = {"eventVersion": "1.09", "userIdentity": identity,
         "eventTime": when, "eventSource": source, "eventName": name, "awsRegion": region,
         "sourceIPAddress": ip, "userAgent": ua}
    if rng.random() < 0.04:
        e["errorCode"] = "AccessDenied"
        e["errorMessage"] = "User is not authorized to perform this operation"
    e["requestParameters"] = req
    e["responseElements"] = resp
    if extra:
        e["additionalEventData"] = extra
    e["requestID"] = rand_id(rng, 8) + "-" + rand_id(rng, 4) + "-" + rand_id(rng, 4)
    e["eventID"] = "%08x-%04x-%04x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                                  rng.getrandbits(16), rng.getrandbits(16),
                                                  rng.getrandbits(48))
    e["readOnly"] = ro
    if source == "s3.amazonaws.com" and name in ("GetObject", "PutObject", "HeadObject"):
        e["resources"] = [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::analytics/" + rand_id(rng, 20)},
                          {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::analytics"}]
        e["eventCategory"] = "Data"
        e["managementEvent"] = False
    else:
        e["managementEvent"] = True
        e["eventCategory"] = "Management"
    e["eventType"] = "AwsApiCall"
    e["recipientAccountId"] = ACCOUNT
    e["tlsDetails"] = {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": source.replace("amazonaws.com", region + ".amazonaws.com")}
    return e


def iso(t):
    import datetime
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def planted_events(rng, world, attacker_user, exfil_role, when, region):
    """Attack events for one planted slot, with the rules each should fire."""
    out = []
    v4 = rng.choice(ATTACK_V4)
    out.append((make_event(rng, world, when, region,
                           (attacker_user, v4, UAS[1], ("iam.amazonaws.com", "ListUsers", True))),
                ["malicious-ip-caller"]))
    e = make_event(rng, world, when, region,
                   (attacker_user, v4, UAS[1], ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", False)))
    e["requestParameters"] = {"groupId": "sg-%017x" % rng.getrandbits(68), "ipPermissions": {"items": [
        {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "groups": {},
         "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]}}
    e.pop("errorCode", None)
    e.pop("errorMessage", None)
    out.append((e, ["malicious-ip-caller", "sg-ingress-open", "network-config-change"]))
    v6 = rng.choice(ATTACK_V6)
    e = make_event(rng, world, when, region,
                   (attacker_user, v6, UAS[6], ("signin.amazonaws.com", "ConsoleLogin", False)))
    e["responseElements"] = {"ConsoleLogin": "Success"}
    e["additionalEventData"] = {"MFAUsed": "No", "LoginTo": "https://console.aws.amazon.com/"}
    e.pop("errorCode", None)
    e.pop("errorMessage", None)
    out.append((e, ["malicious-ip-caller", "signin-outside-allowlist"]))
    # The exfiltrated role key: used inside AWS, then from an unlisted outside address.
    e = make_event(rng, world, when, region,
                   (exfil_role, rng.choice(world.aws_ips[:800]), UAS[0], ("ec2.amazonaws.com", "DescribeInstances", True)))
    e.pop("errorCode", None)
    out.append((e, []))
    e = make_event(rng, world, when, region,
                   (exfil_role, "203.0.113.%d" % rng.randrange(1, 255), UAS[0], ("s3.amazonaws.com", "GetObject", True)))
    out.append((e, ["credential-exfiltration"]))
    return out


def write_file(job):
    """Builds one five-minute file; returns (path, events, bytes, planted rule counts)."""
    (out, index, seed, start, region, events_per_file, plant) = job
    rng = random.Random(seed * 1_000_003 + index)
    world = WORLD
    recs = []
    counts = {}
    window = 300
    for i in range(events_per_file):
        t = start + rng.randrange(window)
        recs.append(make_event(rng, world, iso(t), region))
    if plant:
        when = iso(start + window // 2)
        for e, rules in planted_events(rng, world, world.users[7], world.roles[1], when, region):
            recs.append(e)
            for r in rules:
                counts[r] = counts.get(r, 0) + 1
    recs.sort(key=lambda e: e["eventTime"])
    body = json.dumps({"Records": recs}, separators=(",", ":")).encode()
    import datetime
    delivered = datetime.datetime.fromtimestamp(start + window + rng.randrange(60, 600),
                                                datetime.timezone.utc)
    day = delivered.strftime("%Y/%m/%d")
    name = "%s_CloudTrail_%s_%s_%s.json.gz" % (ACCOUNT, region, delivered.strftime("%Y%m%dT%H%MZ"),
                                               rand_id(rng, 16, string.ascii_letters + string.digits))
    rel = os.path.join("AWSLogs", ACCOUNT, "CloudTrail", region, day, name)
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(gzip.compress(body, compresslevel=6, mtime=0))
    return rel, len(recs), len(body), counts


WORLD = None


def init_world(seed):
    global WORLD
    WORLD = World(random.Random(seed))


def threat_list(rng, world, count):
    """count prefixes: attack addresses, random hosts and networks of both families."""
    lines = ["# synthetic threat list for trailhound benchmarks (%d prefixes)" % count]
    lines += ATTACK_V4 + ATTACK_V6
    seen = set(lines)
    while len(lines) - 1 < count:
        r = rng.random()
        if r < 0.55:
            p = random_public_v4(rng)
        elif r < 0.75:
            p = "%s/%d" % (ipaddress.ip_network(random_public_v4(rng) + "/24", strict=False).network_address, 24)
        elif r < 0.76:
            plen = rng.randrange(16, 23)
            p = str(ipaddress.ip_network("%s/%d" % (random_public_v4(rng), plen), strict=False))
        elif r < 0.93:
            p = "2a%02x:%x:%x::%x" % (rng.randrange(256), rng.randrange(65536), rng.randrange(65536), rng.randrange(1, 65536))
        else:
            p = "2a%02x:%x::/%d" % (rng.randrange(256), rng.randrange(65536), rng.choice([32, 48, 56, 64]))
            p = str(ipaddress.ip_network(p, strict=False))
        if p not in seen:
            seen.add(p)
            lines.append(p)
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=int, default=1024, help="uncompressed JSON to write (MiB)")
    ap.add_argument("--days", type=int, default=30, help="days the corpus spans")
    ap.add_argument("--file-mb", type=float, default=2.0, help="uncompressed size of one file (MiB)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plant-every", type=int, default=25, help="plant an attack in every Nth file")
    ap.add_argument("--list-size", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    a = ap.parse_args()
    rng = random.Random(a.seed)
    init_world(a.seed)
    avg_event = 1300  # bytes, measured on this generator's output
    events_per_file = max(1, int(a.file_mb * 1024 * 1024 / avg_event))
    files = max(1, int(a.size_mb / a.file_mb))
    start0 = 1767225600  # 2026-01-01T00:00:00Z
    span = a.days * 86400
    jobs = []
    for i in range(files):
        start = start0 + (span - 300) * i // max(1, files - 1) if files > 1 else start0
        start -= start % 60
        region = REGIONS[i % len(REGIONS)]
        jobs.append((a.out, i, a.seed, start, region, events_per_file, i % a.plant_every == a.plant_every // 2))
    os.makedirs(os.path.join(a.out, "lists"), exist_ok=True)
    with multiprocessing.Pool(a.jobs, initializer=init_world, initargs=(a.seed,)) as pool:
        results = pool.map(write_file, jobs, chunksize=4)
    planted = {}
    for _, _, _, c in results:
        for k, v in c.items():
            planted[k] = planted.get(k, 0) + v
    with open(os.path.join(a.out, "lists", "threat-100k.txt"), "w") as f:
        f.write(threat_list(rng, WORLD, a.list_size))
    with open(os.path.join(a.out, "lists", "office.txt"), "w") as f:
        f.write("%s\n" % OFFICE)
    ranges = {"syncToken": "1", "createDate": "2026-01-01-00-00-00",
              "prefixes": [{"ip_prefix": str(n), "region": "us-east-1", "service": "EC2",
                            "network_border_group": "us-east-1"} for n in AWS_V4],
              "ipv6_prefixes": [{"ipv6_prefix": str(n), "region": "us-east-1", "service": "EC2",
                                 "network_border_group": "us-east-1"} for n in AWS_V6]}
    with open(os.path.join(a.out, "lists", "aws-ip-ranges.json"), "w") as f:
        json.dump(ranges, f)
    manifest = {"synthetic": True, "seed": a.seed, "files": len(results),
                "events": sum(r[1] for r in results), "bytes": sum(r[2] for r in results),
                "days": a.days, "start": iso(start0), "planted": planted,
                "attack_user": WORLD.users[7]["arn"], "attack_key": WORLD.users[7]["accessKeyId"],
                "exfil_key": WORLD.roles[1]["accessKeyId"],
                "timeline_user": WORLD.users[3]["userName"]}
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
