#!/usr/bin/env python3
"""Generates a second benchmark corpus shaped like real CloudTrail trails (deterministic by seed).

  bench/gen_corpus_real.py OUT [--size-mb 1024] [--days 30] [--seed 1] [--jobs N]

Same layout and manifest.json keys as bench/gen_corpus.py (AWSLogs/<account>/CloudTrail/
<region>/YYYY/MM/DD/*.json.gz S3-delivery files, lists/threat-100k.txt, lists/office.txt,
lists/aws-ip-ranges.json, manifest.json with timeline_user, attack_user, planted, ...), so
bench/run --shape real, bench/instructions and bench/check_findings.py use it unchanged.

What differs from the first corpus, on purpose (the shape of real trails, not their content):
  - files of 100 to 3,000 records (log-uniform), not a fixed 2 MiB;
  - hundreds of principals: IAM users, workload roles whose sessions rotate every hour (so
    thousands of ASIA temporary keys), console and SSO sessions from outside AWS, web-identity
    (EKS/OIDC) and EC2 instance-profile sessions with their sessionContext variants;
  - long SDK, CLI and browser user agents with many md/ and api/ parts;
  - STS calls (AssumeRole, AssumeRoleWithWebIdentity, GetSessionToken, GetFederationToken)
    whose responseElements carry credentials and session tokens of several hundred bytes;
  - data events (S3 GetObject/PutObject with resources[], Lambda Invoke), service events
    (invokedBy, AWSService, sharedEventID), nested request parameters (arrays of objects),
    tlsDetails, vpcEndpointId, errorCode/errorMessage on a few percent with varied codes.
Attack events are planted as in gen_corpus.py (listed addresses, a world-open security group,
a sign-in from a listed address, a role key used from outside AWS after use inside it);
bench/check_findings.py counts the expected findings from the files themselves.

All value tables are written here for this generator; no real record is copied. Labelled
synthetic: nothing here is real traffic.
"""
import argparse
import datetime
import gzip
import json
import math
import multiprocessing
import os
import random
import string
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_corpus import (AWS_V4, AWS_V6, ATTACK_V4, ATTACK_V6, OFFICE, addr_in,  # noqa: E402
                        random_public_v4, threat_list)

ACCOUNT = "409812736455"
OTHER_ACCOUNTS = ["118273645509", "730045128876", "562209813347"]
REGIONS = ["us-east-1", "us-east-1", "us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-northeast-1", "sa-east-1"]
B64 = string.ascii_letters + string.digits + "+/"
ALNUM = string.ascii_letters + string.digits
UP = string.ascii_uppercase + string.digits

# User agents: (template, weight). {v} parts are filled per principal so there are many
# distinct strings, as in real trails.
SDK_UAS = [
    "aws-sdk-go-v2/1.{a}.{b} os/linux lang/go#1.2{c}.{d} md/GOOS#linux md/GOARCH#amd64 "
    "api/{svc}#1.{e}.{b} ft/s3-transfer m/E,G",
    "aws-sdk-go/1.4{a}.{b} (go1.2{c}.{d}; linux; amd64) exec-env/AWS_ECS_FARGATE",
    "Boto3/1.3{a}.{b} md/Botocore#1.3{a}.{b} ua/2.0 os/linux#5.10.{e}-{d}.amzn2.x86_64 "
    "md/arch#x86_64 lang/python#3.1{c}.{d} md/pyimpl#CPython exec-env/AWS_Lambda_python3.1{c} "
    "cfg/retry-mode#standard Botocore/1.3{a}.{b}",
    "aws-cli/2.{a}.{b} md/awscrt#0.{c}.{d} ua/2.0 os/macos#23.{d}.0 md/arch#arm64 "
    "lang/python#3.11.{c} md/pyimpl#CPython cfg/retry-mode#standard md/installer#source "
    "md/prompt#off md/command#{svc}.describe-{thing}",
    "aws-sdk-java/2.2{c}.{b} Linux/5.10.{e}-{d}.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.{d}+{c} "
    "Java/17.0.{d} vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/adaptive "
    "ft/s3-transfer",
    "aws-sdk-js/3.{e}{b}.0 ua/2.0 os/linux#5.10.{e} lang/js md/nodejs#18.{a}.{d} "
    "api/{svc}#3.{e}{b}.0 exec-env/AWS_Lambda_nodejs18.x",
    "APN/1.0 HashiCorp/1.0 Terraform/1.{c}.{d} (+https://www.terraform.io) "
    "terraform-provider-aws/5.{a}.{b} (+https://registry.terraform.io/providers/hashicorp/aws) "
    "aws-sdk-go-v2/1.{a}.{b} os/linux lang/go#1.2{c}.{d} md/GOOS#linux md/GOARCH#amd64 api/{svc}#1.{e}.0",
]
BROWSER_UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/1{a}.0.{e}{b}.{d} Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.{c} Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:12{c}.0) Gecko/20100101 Firefox/12{c}.0",
]
SVC_NAMES = ["s3", "ec2", "sts", "dynamodb", "lambda", "kms", "ssm", "sqs", "ecr", "iam"]
THINGS = ["instances", "stacks", "tables", "functions", "parameters", "images", "vpcs"]

SERVICE_PRINCIPALS = ["ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com",
                      "autoscaling.amazonaws.com", "config.amazonaws.com", "ecs-tasks.amazonaws.com",
                      "elasticloadbalancing.amazonaws.com", "trustedadvisor.amazonaws.com",
                      "access-analyzer.amazonaws.com", "guardduty.amazonaws.com"]
ERRORS = [("AccessDenied", "User: {arn} is not authorized to perform: {action} on resource: "
           "{res} because no identity-based policy allows the {action} action"),
          ("NoSuchEntityException", "The role with name {name} cannot be found."),
          ("ThrottlingException", "Rate exceeded"),
          ("ResourceNotFoundException", "Requested resource not found"),
          ("NoSuchKey", "The specified key does not exist."),
          ("Client.UnauthorizedOperation", "You are not authorized to perform this operation. "
           "Encoded authorization failure message: {blob}"),
          ("ValidationException", "1 validation error detected: Value null at 'name' failed "
           "to satisfy constraint: Member must not be null")]


def rid(rng, n, alphabet=UP):
    return "".join(rng.choices(alphabet, k=n))


def uuid(rng):
    return "%08x-%04x-4%03x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                           rng.getrandbits(12), 0x8000 | rng.getrandbits(14),
                                           rng.getrandbits(48))


def ua_fill(rng, template):
    return template.format(a=rng.randrange(10, 60), b=rng.randrange(0, 40), c=rng.randrange(0, 4),
                           d=rng.randrange(1, 20), e=rng.randrange(1, 9),
                           svc=rng.choice(SVC_NAMES), thing=rng.choice(THINGS))


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class World:
    """Principals of the account: users, workload roles, human sessions, and their addresses."""

    def __init__(self, rng):
        self.users = []
        for i in range(300):
            name = rng.choice(["svc-", "ci-", "", "", "dev."]) + "u%03d" % i
            self.users.append({
                "identity": {"type": "IAMUser", "principalId": "AIDA" + rid(rng, 17),
                             "arn": "arn:aws:iam::%s:user/%s" % (ACCOUNT, name),
                             "accountId": ACCOUNT, "accessKeyId": "AKIA" + rid(rng, 16),
                             "userName": name},
                "uas": [ua_fill(rng, rng.choice(SDK_UAS)) for _ in range(2)],
                "ips": [random_public_v4(rng) for _ in range(3)] + [addr_in(rng, OFFICE)]})
        # Workload roles: sessions from inside AWS; kind picks the sessionContext variant.
        self.roles = []
        for i in range(260):
            kind = ("ec2", "lambda", "eks", "ecs")[i % 4]
            name = "%s-%s-%02d" % (rng.choice(["prod", "stage", "data", "platform"]), kind, i)
            self.roles.append({"name": name, "kind": kind, "rid": "AROA" + rid(rng, 17),
                               "uas": [ua_fill(rng, rng.choice(SDK_UAS)) for _ in range(2)],
                               "ips": [addr_in(rng, rng.choice(AWS_V4)) for _ in range(4)] +
                                      [addr_in(rng, AWS_V6[0])]})
        # Human sessions: console (SSO permission sets) from outside AWS, browser agents.
        self.humans = []
        for i in range(180):
            email = "%s.%s@example.com" % (rid(rng, 5, string.ascii_lowercase),
                                           rid(rng, 7, string.ascii_lowercase))
            ps = rng.choice(["AdministratorAccess", "ReadOnlyAccess", "PowerUserAccess",
                             "DataEngineer", "SecurityAudit"])
            self.humans.append({"email": email, "ps": ps,
                                "role": "AWSReservedSSO_%s_%s" % (ps, rid(rng, 16, "0123456789abcdef")),
                                "rid": "AROA" + rid(rng, 17),
                                "ua": ua_fill(rng, rng.choice(BROWSER_UAS)),
                                "ips": [random_public_v4(rng), addr_in(rng, OFFICE),
                                        "2001:%x:%x::%x" % (rng.randrange(0x2000, 0x3fff),
                                                            rng.randrange(65536), rng.randrange(1, 65536))]})

    def role_session(self, role, when, salt):
        """The identity of a workload role's session; the session (and its ASIA key) rotates
        every hour, so a month holds thousands of temporary keys."""
        hour = when // 3600
        r = random.Random("%s/%d/%d" % (role["rid"], hour, salt))
        session = {"ec2": "i-%017x" % r.getrandbits(68), "lambda": role["name"].replace("-", "_"),
                   "eks": "eks-%s-%s" % (role["name"][:8], rid(r, 10, "0123456789abcdef")),
                   "ecs": "%032x" % r.getrandbits(128)}[role["kind"]]
        ident = {"type": "AssumedRole", "principalId": "%s:%s" % (role["rid"], session),
                 "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role["name"], session),
                 "accountId": ACCOUNT, "accessKeyId": "ASIA" + rid(r, 16),
                 "sessionContext": {
                     "sessionIssuer": {"type": "Role", "principalId": role["rid"],
                                       "arn": "arn:aws:iam::%s:role/%s" % (ACCOUNT, role["name"]),
                                       "accountId": ACCOUNT, "userName": role["name"]},
                     "attributes": {"creationDate": iso(hour * 3600 + r.randrange(60)),
                                    "mfaAuthenticated": "false"}}}
        if role["kind"] == "eks":
            ident["sessionContext"]["webIdFederationData"] = {
                "federatedProvider": "arn:aws:iam::%s:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/%s"
                                     % (ACCOUNT, rid(r, 32, "0123456789ABCDEF")),
                "attributes": {}}
        else:
            ident["sessionContext"]["webIdFederationData"] = {}
        if role["kind"] == "ec2":
            ident["sessionContext"]["ec2RoleDelivery"] = "2.0"
        return ident

    def human_session(self, h, when):
        day = when // 86400
        r = random.Random("%s/%d" % (h["rid"], day))
        return {"type": "AssumedRole", "principalId": "%s:%s" % (h["rid"], h["email"]),
                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, h["role"], h["email"]),
                "accountId": ACCOUNT, "accessKeyId": "ASIA" + rid(r, 16),
                "sessionContext": {
                    "sessionIssuer": {"type": "Role", "principalId": h["rid"],
                                      "arn": "arn:aws:iam::%s:role/aws-reserved/sso.amazonaws.com/%s"
                                             % (ACCOUNT, h["role"]),
                                      "accountId": ACCOUNT, "userName": h["role"]},
                    "webIdFederationData": {},
                    "attributes": {"creationDate": iso(day * 86400 + 8 * 3600 + r.randrange(7200)),
                                   "mfaAuthenticated": "false"}},
                "invokedBy": None}


def token(rng, n):
    return "IQoJb3JpZ2luX2VjE" + rid(rng, n, B64)


def credentials(rng, when):
    return {"accessKeyId": "ASIA" + rid(rng, 16), "sessionToken": token(rng, rng.randrange(400, 900)),
            "expiration": datetime.datetime.fromtimestamp(when + 3600, datetime.timezone.utc)
            .strftime("%b %-d, %Y, %-I:%M:%S %p")}


def payload(rng, name, when, region):
    """requestParameters, responseElements, additionalEventData, resources for a call."""
    bucket = "acme-%s-%s" % (rng.choice(["datalake", "logs", "artifacts", "backups", "web"]),
                             rng.choice(REGIONS))
    if name in ("GetObject", "PutObject", "HeadObject", "DeleteObject"):
        key = "%s/year=2026/month=%02d/part-%05d-%s.snappy.parquet" % (
            rng.choice(["raw", "curated", "events", "tmp"]), rng.randrange(1, 13),
            rng.randrange(10000), uuid(rng))
        req = {"bucketName": bucket, "Host": "%s.s3.%s.amazonaws.com" % (bucket, region), "key": key}
        if name == "PutObject":
            req["x-amz-server-side-encryption"] = "aws:kms"
        extra = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
                 "bytesTransferredIn": float(rng.randrange(10**7)) if name == "PutObject" else 0.0,
                 "AuthenticationMethod": "AuthHeader",
                 "x-amz-id-2": rid(rng, 76, B64) + "=", "bytesTransferredOut": float(rng.randrange(10**8))}
        res = [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (bucket, key)},
               {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket}]
        resp = {"x-amz-server-side-encryption": "aws:kms", "x-amz-server-side-encryption-aws-kms-key-id":
                "arn:aws:kms:%s:%s:key/%s" % (region, ACCOUNT, uuid(rng))} if name == "PutObject" else None
        return req, resp, extra, res
    if name == "Invoke":
        fn = "arn:aws:lambda:%s:%s:function:%s-handler-%d" % (region, ACCOUNT, rng.choice(["orders", "ingest", "auth"]), rng.randrange(30))
        return ({"functionName": fn, "invocationType": rng.choice(["RequestResponse", "Event"]),
                 "qualifier": "$LATEST"}, None, {"functionVersion": fn + ":$LATEST"},
                [{"accountId": ACCOUNT, "type": "AWS::Lambda::Function", "ARN": fn}])
    if name == "AssumeRole":
        role = "arn:aws:iam::%s:role/%s" % (rng.choice(OTHER_ACCOUNTS + [ACCOUNT]),
                                            rng.choice(["OrganizationAccountAccessRole", "deploy", "audit-read"]))
        sess = "botocore-session-%d" % rng.randrange(10**10)
        return ({"roleArn": role, "roleSessionName": sess, "durationSeconds": 3600,
                 "tags": [{"key": "team", "value": rng.choice(["data", "web", "sec"])}]},
                {"credentials": credentials(rng, when),
                 "assumedRoleUser": {"assumedRoleId": "AROA%s:%s" % (rid(rng, 17), sess),
                                     "arn": role.replace(":iam:", ":sts:").replace(":role/", ":assumed-role/") + "/" + sess},
                 "packedPolicySize": rng.randrange(1, 20)}, None,
                [{"accountId": role.split(":")[4], "type": "AWS::IAM::Role", "ARN": role}])
    if name == "AssumeRoleWithWebIdentity":
        role = "arn:aws:iam::%s:role/eks-irsa-%d" % (ACCOUNT, rng.randrange(40))
        return ({"roleArn": role, "roleSessionName": "botocore-session-%d" % rng.randrange(10**10),
                 "durationSeconds": 3600},
                {"credentials": credentials(rng, when),
                 "subjectFromWebIdentityToken": "system:serviceaccount:%s:%s" % (
                     rng.choice(["default", "kube-system", "payments"]), rid(rng, 8, string.ascii_lowercase)),
                 "audience": "sts.amazonaws.com", "provider": "arn:aws:iam::%s:oidc-provider/oidc.eks" % ACCOUNT},
                None, [{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": role}])
    if name == "GetSessionToken":
        return ({"durationSeconds": 43200, "serialNumber": "arn:aws:iam::%s:mfa/dev" % ACCOUNT,
                 "tokenCode": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                {"credentials": credentials(rng, when)}, None, None)
    if name == "GetFederationToken":
        return ({"name": "fed-%d" % rng.randrange(1000), "durationSeconds": 3600,
                 "policy": json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})},
                {"credentials": credentials(rng, when),
                 "federatedUser": {"federatedUserId": "%s:fed" % ACCOUNT,
                                   "arn": "arn:aws:sts::%s:federated-user/fed" % ACCOUNT},
                 "packedPolicySize": 6}, None, None)
    if name == "DescribeInstances":
        return ({"instancesSet": {"items": [{"instanceId": "i-%017x" % rng.getrandbits(68)}
                                            for _ in range(rng.randrange(1, 6))]},
                 "filterSet": {"items": [{"name": "tag:Environment", "valueSet": {"items": [{"value": "prod"}]}},
                                         {"name": "instance-state-name", "valueSet": {"items": [{"value": "running"}]}}]}},
                None, None, None)
    if name == "RunInstances":
        return ({"instancesSet": {"items": [{"imageId": "ami-%017x" % rng.getrandbits(68), "minCount": 1, "maxCount": 1}]},
                 "instanceType": rng.choice(["m6i.large", "c7g.xlarge", "t3.micro"]),
                 "blockDeviceMapping": {"items": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 50, "volumeType": "gp3", "encrypted": True}}]},
                 "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": [{"key": "Name", "value": "worker-%d" % rng.randrange(100)}]}]}},
                {"requestId": uuid(rng), "reservationId": "r-%017x" % rng.getrandbits(68),
                 "instancesSet": {"items": [{"instanceId": "i-%017x" % rng.getrandbits(68), "instanceState": {"code": 0, "name": "pending"},
                                             "privateIpAddress": "10.%d.%d.%d" % (rng.randrange(256), rng.randrange(256), rng.randrange(256))}]}},
                None, None)
    if name in ("Decrypt", "GenerateDataKey", "Encrypt"):
        key = "arn:aws:kms:%s:%s:key/%s" % (region, ACCOUNT, uuid(rng))
        return ({"encryptionContext": {"aws:s3:arn": "arn:aws:s3:::%s" % bucket},
                 "encryptionAlgorithm": "SYMMETRIC_DEFAULT", "keyId": key}, None, None,
                [{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": key}])
    if name in ("GetItem", "PutItem", "Query"):
        t = "arn:aws:dynamodb:%s:%s:table/%s" % (region, ACCOUNT, rng.choice(["orders", "sessions", "users"]))
        return ({"tableName": t.rsplit("/", 1)[1], "key": {"pk": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                 "consistentRead": False}, None, None, [{"accountId": ACCOUNT, "type": "AWS::DynamoDB::Table", "ARN": t}])
    if name == "GetParameters":
        return ({"names": ["/app/%s/%s" % (rng.choice(["prod", "stage"]), rid(rng, 6, string.ascii_lowercase))
                           for _ in range(rng.randrange(1, 5))], "withDecryption": True}, None, None, None)
    if name == "PutMetricData":
        return ({"namespace": "App/%s" % rid(rng, 5), "metricData": [
            {"metricName": "Latency", "dimensions": [{"name": "Service", "value": "api"}], "unit": "Milliseconds"}]},
                None, None, None)
    if name == "ListObjects":
        return ({"bucketName": bucket, "prefix": "raw/", "list-type": "2", "Host": "%s.s3.amazonaws.com" % bucket},
                None, None, [{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + bucket}])
    return None, None, None, None


WORKLOAD_CALLS = [  # (source, name, readOnly, data event, weight)
    ("s3.amazonaws.com", "GetObject", True, True, 24), ("s3.amazonaws.com", "PutObject", False, True, 9),
    ("s3.amazonaws.com", "HeadObject", True, True, 5), ("s3.amazonaws.com", "ListObjects", True, True, 3),
    ("lambda.amazonaws.com", "Invoke", False, True, 6), ("dynamodb.amazonaws.com", "GetItem", True, True, 4),
    ("dynamodb.amazonaws.com", "Query", True, True, 3), ("kms.amazonaws.com", "Decrypt", True, False, 10),
    ("kms.amazonaws.com", "GenerateDataKey", True, False, 5), ("sts.amazonaws.com", "AssumeRole", True, False, 4),
    ("sts.amazonaws.com", "AssumeRoleWithWebIdentity", True, False, 2), ("sts.amazonaws.com", "GetCallerIdentity", True, False, 3),
    ("ec2.amazonaws.com", "DescribeInstances", True, False, 5), ("ssm.amazonaws.com", "GetParameters", True, False, 4),
    ("monitoring.amazonaws.com", "PutMetricData", False, False, 3), ("ecr.amazonaws.com", "GetAuthorizationToken", True, False, 2),
    ("ec2.amazonaws.com", "RunInstances", False, False, 1),
]
HUMAN_CALLS = [
    ("ec2.amazonaws.com", "DescribeInstances", True, False, 8), ("s3.amazonaws.com", "ListBuckets", True, False, 4),
    ("iam.amazonaws.com", "ListRoles", True, False, 3), ("cloudtrail.amazonaws.com", "LookupEvents", True, False, 2),
    ("sts.amazonaws.com", "GetSessionToken", True, False, 1), ("sts.amazonaws.com", "GetFederationToken", True, False, 1),
    ("health.amazonaws.com", "DescribeEventAggregates", True, False, 3), ("s3.amazonaws.com", "GetObject", True, True, 3),
    ("signin.amazonaws.com", "ConsoleLogin", False, False, 1), ("ec2.amazonaws.com", "RunInstances", False, False, 1),
]
SERVICE_CALLS = [
    ("sts.amazonaws.com", "AssumeRole", True, False, 10), ("kms.amazonaws.com", "Decrypt", True, False, 6),
    ("kms.amazonaws.com", "GenerateDataKey", True, False, 3), ("s3.amazonaws.com", "GetObject", True, True, 2),
    ("ec2.amazonaws.com", "DescribeInstances", True, False, 2),
]


def pick(rng, calls):
    return rng.choices(calls, [c[4] for c in calls])[0]


def make_event(rng, world, when, region, plant=None):
    """One record; plant = (identity, ip, ua, (source, name, readOnly)) forces the caller."""
    r = rng.random()
    vpce = None
    if plant is not None:
        identity, ip, ua, (source, name, ro) = plant
        data = False
    elif r < 0.50:
        role = rng.choice(world.roles)
        identity = world.role_session(role, when, 0)
        ip = rng.choice(role["ips"])
        ua = rng.choice(role["uas"])
        source, name, ro, data, _ = pick(rng, WORKLOAD_CALLS)
        if rng.random() < 0.25:
            vpce = "vpce-%017x" % rng.getrandbits(68)
    elif r < 0.70:
        u = rng.choice(world.users)
        identity = u["identity"]
        ip = rng.choice(u["ips"])
        ua = rng.choice(u["uas"])
        source, name, ro, data, _ = pick(rng, WORKLOAD_CALLS)
    elif r < 0.85:
        h = rng.choice(world.humans)
        identity = world.human_session(h, when)
        identity.pop("invokedBy")
        ip = rng.choice(h["ips"])
        ua = h["ua"]
        source, name, ro, data, _ = pick(rng, HUMAN_CALLS)
        if name != "ConsoleLogin":
            ua = "AWS Internal" if rng.random() < 0.2 else "console.amazonaws.com"
            if ua == "console.amazonaws.com" and rng.random() < 0.5:
                ua = h["ua"]
    else:
        svc = rng.choice(SERVICE_PRINCIPALS)
        source, name, ro, data, _ = pick(rng, SERVICE_CALLS)
        if rng.random() < 0.5:
            identity = {"type": "AWSService", "invokedBy": svc}
        else:  # a service acting with a role's session
            identity = world.role_session(rng.choice(world.roles), when, 1)
            identity["invokedBy"] = svc
        ip = ua = svc
    if plant is not None and name not in ("GetObject", "DescribeInstances"):
        req = resp = extra = res = None
    else:
        req, resp, extra, res = payload(rng, name, when, region)
    e = {"eventVersion": "1.0%d" % rng.choice([8, 9, 9]), "userIdentity": identity,
         "eventTime": iso(when), "eventSource": source, "eventName": name, "awsRegion": region,
         "sourceIPAddress": ip, "userAgent": ua}
    if plant is None and rng.random() < 0.035:
        code, msg = rng.choice(ERRORS)
        e["errorCode"] = code
        e["errorMessage"] = msg.format(arn=identity.get("arn", ""), action="%s:%s" % (source.split(".")[0], name),
                                       res="arn:aws:%s:%s:%s:*" % (source.split(".")[0], region, ACCOUNT),
                                       name=rid(rng, 10).lower(), blob=rid(rng, rng.randrange(200, 900), B64))
        resp = None
    if name == "ConsoleLogin":
        req = None
        resp = {"ConsoleLogin": "Failure" if "errorCode" in e else "Success"}
        extra = {"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
                 "MobileVersion": "No", "MFAUsed": "Yes"}
        e["eventType"] = "AwsConsoleSignIn"
    e["requestParameters"] = req
    e["responseElements"] = resp
    if extra:
        e["additionalEventData"] = extra
    e["requestID"] = uuid(rng) if rng.random() < 0.7 else rid(rng, 16)
    e["eventID"] = uuid(rng)
    e["readOnly"] = ro
    if res:
        e["resources"] = res
    e.setdefault("eventType", "AwsApiCall")
    e["managementEvent"] = not data
    e["recipientAccountId"] = ACCOUNT
    if identity.get("type") == "AWSService":
        e["sharedEventID"] = uuid(rng)
    if vpce:
        e["vpcEndpointId"] = vpce
        e["vpcEndpointAccountId"] = ACCOUNT
    e["eventCategory"] = "Data" if data else "Management"
    if "." in ip and not ip.endswith(".com"):
        e["tlsDetails"] = {"tlsVersion": rng.choice(["TLSv1.2", "TLSv1.3", "TLSv1.3"]),
                           "cipherSuite": rng.choice(["ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256"]),
                           "clientProvidedHostHeader": "%s.%s.amazonaws.com" % (source.split(".")[0], region)}
    if ua == "console.amazonaws.com" or ua.startswith("Mozilla"):
        e["sessionCredentialFromConsole"] = "true"
    return e


def planted_events(rng, world, when, region):
    """Attack events for one planted slot, with the rules each should fire."""
    attacker = world.users[7]["identity"]
    exfil = world.roles[1]
    out = []
    v4 = rng.choice(ATTACK_V4)
    ua = ua_fill(rng, SDK_UAS[2])
    out.append((make_event(rng, world, when, region,
                           (attacker, v4, ua, ("iam.amazonaws.com", "ListAttachedUserPolicies", True))),
                ["malicious-ip-caller"]))
    e = make_event(rng, world, when, region,
                   (attacker, v4, ua, ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", False)))
    e["requestParameters"] = {"groupId": "sg-%017x" % rng.getrandbits(68), "ipPermissions": {"items": [
        {"ipProtocol": "-1", "groups": {}, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0",
                                                                   "description": "tmp"}]},
         "ipv6Ranges": {}, "prefixListIds": {}}]}}
    e["responseElements"] = {"requestId": uuid(rng), "_return": True}
    out.append((e, ["malicious-ip-caller", "sg-ingress-open", "network-config-change"]))
    e = make_event(rng, world, when, region,
                   (attacker, rng.choice(ATTACK_V6), ua_fill(rng, BROWSER_UAS[0]),
                    ("signin.amazonaws.com", "ConsoleLogin", False)))
    out.append((e, ["malicious-ip-caller", "signin-outside-allowlist"]))
    ident = world.role_session(exfil, when, 0)
    out.append((make_event(rng, world, when, region,
                           (ident, exfil["ips"][0], exfil["uas"][0], ("ec2.amazonaws.com", "DescribeInstances", True))), []))
    out.append((make_event(rng, world, when + 30, region,
                           (ident, "203.0.113.%d" % rng.randrange(1, 255), ua_fill(rng, SDK_UAS[3]),
                            ("s3.amazonaws.com", "GetObject", True))), ["credential-exfiltration"]))
    return out


WORLD = None


def init_world(seed):
    global WORLD
    WORLD = World(random.Random(seed))


def write_file(job):
    """Builds one delivery file; returns (path, events, bytes, planted rule counts)."""
    out, index, seed, start, window, region, n, plant = job
    rng = random.Random(seed * 2_000_003 + index)
    recs = [make_event(rng, WORLD, start + rng.randrange(window), region) for _ in range(n)]
    counts = {}
    if plant:
        for e, rules in planted_events(rng, WORLD, start + window // 2, region):
            recs.append(e)
            for r in rules:
                counts[r] = counts.get(r, 0) + 1
    recs.sort(key=lambda e: e["eventTime"])
    body = json.dumps({"Records": recs}, separators=(",", ":")).encode()
    delivered = datetime.datetime.fromtimestamp(start + window + rng.randrange(60, 900),
                                                datetime.timezone.utc)
    name = "%s_CloudTrail_%s_%s_%s.json.gz" % (ACCOUNT, region, delivered.strftime("%Y%m%dT%H%MZ"),
                                               rid(rng, 16, ALNUM))
    rel = os.path.join("AWSLogs", ACCOUNT, "CloudTrail", region, delivered.strftime("%Y/%m/%d"), name)
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(gzip.compress(body, compresslevel=6, mtime=0))
    return rel, len(recs), len(body), counts


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=int, default=1024, help="uncompressed JSON to write (MiB)")
    ap.add_argument("--days", type=int, default=30, help="days the corpus spans")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plant-every", type=int, default=10, help="plant an attack in every Nth file")
    ap.add_argument("--list-size", type=int, default=100_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    a = ap.parse_args()
    init_world(a.seed)
    rng = random.Random(a.seed)
    # Measure this generator's mean record size on a sample, then plan file sizes to total
    # --size-mb: log-uniform 100..3000 records per file.
    srng = random.Random(a.seed + 7)
    sample = [make_event(srng, WORLD, 1767225600 + i * 37, "us-east-1") for i in range(2000)]
    avg = sum(len(json.dumps(e, separators=(",", ":"))) + 1 for e in sample) / len(sample)
    target = a.size_mb * 2**20
    sizes, total = [], 0
    while total < target:
        n = int(math.exp(rng.uniform(math.log(100), math.log(3000))))
        n = max(100, min(n, int((target - total) / avg) + 1))
        sizes.append(n)
        total += n * avg
    start0 = 1767225600  # 2026-01-01T00:00:00Z
    span = a.days * 86400
    jobs = []
    for i, n in enumerate(sizes):
        start = start0 + (span - 900) * i // max(1, len(sizes) - 1)
        window = rng.choice([60, 300, 300, 600])
        jobs.append((a.out, i, a.seed, start, window, REGIONS[i % len(REGIONS)], n,
                     i % a.plant_every == a.plant_every // 2))
    os.makedirs(os.path.join(a.out, "lists"), exist_ok=True)
    with multiprocessing.Pool(a.jobs, initializer=init_world, initargs=(a.seed,)) as pool:
        results = pool.map(write_file, jobs, chunksize=8)
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
    manifest = {"synthetic": True, "shape": "real", "seed": a.seed, "files": len(results),
                "events": sum(r[1] for r in results), "bytes": sum(r[2] for r in results),
                "days": a.days, "start": iso(start0), "planted": planted,
                "attack_user": WORLD.users[7]["identity"]["arn"],
                "attack_key": WORLD.users[7]["identity"]["accessKeyId"],
                "exfil_key": "hourly ASIA keys of " + WORLD.roles[1]["name"],
                "timeline_user": WORLD.users[3]["identity"]["userName"]}
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
