#!/usr/bin/env python3
"""Counts, independently of trailhound, the findings a generated corpus should give.

Usage: check_findings.py CORPUS_DIR TRAILHOUND_SUMMARY_JSON
Reads every file of the corpus with Python's gzip and json, the lists with ipaddress, and
applies each rule's definition from trailhound's man page in plain Python. Prints the
expected and the reported count per rule; exits 1 when any differ.
"""
import gzip
import ipaddress
import json
import os
import sys

SIGNIN = {("signin.amazonaws.com", n) for n in (
    "ConsoleLogin", "GetSigninToken", "CheckMfa", "SwitchRole", "ExternalIdPDirectoryLogin",
    "UserAuthentication", "CredentialChallenge", "CredentialVerification", "Federate")}
SIGNIN |= {("sso.amazonaws.com", "Authenticate"), ("sso.amazonaws.com", "Federate"),
           ("sts.amazonaws.com", "AssumeRoleWithSAML"),
           ("sts.amazonaws.com", "AssumeRoleWithWebIdentity")}
CIS_NETWORK = {
    "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup",
    "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
    "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation", "CreateCustomerGateway",
    "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
    "DeleteInternetGateway", "DetachInternetGateway", "CreateRoute", "CreateRouteTable",
    "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute",
    "DisassociateRouteTable", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute",
    "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection",
    "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
    "DisableVpcClassicLink", "EnableVpcClassicLink"}


class PrefixSet:
    """Prefixes grouped by (version, length): membership is one set lookup per length."""

    def __init__(self, networks):
        self.by_len = {}
        for n in networks:
            self.by_len.setdefault((n.version, n.prefixlen), set()).add(int(n.network_address))

    def contains(self, addr):
        v = addr.version
        bits = 32 if v == 4 else 128
        a = int(addr)
        for (ver, plen), nets in self.by_len.items():
            if ver != v:
                continue
            if (a >> (bits - plen) << (bits - plen) if plen else 0) in nets:
                return True
        return False


def read_list(path):
    nets = []
    with open(path) as f:
        for line in f:
            line = line.split("#")[0].split(";")[0].strip()
            if line:
                nets.append(ipaddress.ip_network(line, strict=False))
    return PrefixSet(nets)


def parse_addr(text):
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return None
    if a.version == 6 and a.ipv4_mapped:
        return a.ipv4_mapped
    return a


def is_service(text):
    return text == "AWS Internal" or (
        "." in text and any(c.isalpha() for c in text) and
        all(c.isalnum() or c in ".-" for c in text))


def main():
    corpus, summary_path = sys.argv[1], sys.argv[2]
    lists = os.path.join(corpus, "lists")
    threat = read_list(os.path.join(lists, "threat-100k.txt"))
    office = read_list(os.path.join(lists, "office.txt"))
    ranges = json.load(open(os.path.join(lists, "aws-ip-ranges.json")))
    aws = PrefixSet([ipaddress.ip_network(p["ip_prefix"]) for p in ranges["prefixes"]] +
                    [ipaddress.ip_network(p["ipv6_prefix"]) for p in ranges["ipv6_prefixes"]])
    expected = {"malicious-ip-caller": 0, "signin-outside-allowlist": 0,
                "credential-exfiltration": 0, "sg-ingress-open": 0, "network-config-change": 0}
    first_aws = {}
    outside_uses = []  # (key, time) of temporary keys used from outside AWS
    events = 0
    for root, _, files in os.walk(os.path.join(corpus, "AWSLogs")):
        for name in files:
            if not name.endswith(".json.gz"):
                continue
            with gzip.open(os.path.join(root, name)) as f:
                records = json.load(f)["Records"]
            for e in records:
                events += 1
                ip = e.get("sourceIPAddress", "")
                addr = parse_addr(ip)
                listed = addr is not None and threat.contains(addr)
                if listed:
                    expected["malicious-ip-caller"] += 1
                if (e.get("eventSource"), e.get("eventName")) in SIGNIN:
                    if addr is None or not office.contains(addr):
                        expected["signin-outside-allowlist"] += 1
                key = e.get("userIdentity", {}).get("accessKeyId", "")
                if key.startswith("ASIA"):
                    in_aws = is_service(ip) if addr is None else aws.contains(addr)
                    if in_aws:
                        t = e["eventTime"]
                        if key not in first_aws or t < first_aws[key]:
                            first_aws[key] = t
                    elif addr is not None:
                        outside_uses.append((key, e["eventTime"]))
                ok = "errorCode" not in e
                if e.get("eventSource") == "ec2.amazonaws.com" and ok and not e.get("readOnly"):
                    if e.get("eventName") in CIS_NETWORK:
                        expected["network-config-change"] += 1
                    if e.get("eventName") in ("AuthorizeSecurityGroupIngress",
                                              "ModifySecurityGroupRules"):
                        text = json.dumps(e.get("requestParameters"))
                        if '/0"' in text:
                            expected["sg-ingress-open"] += 1
    for key, t in outside_uses:
        if key in first_aws and first_aws[key] <= t:
            expected["credential-exfiltration"] += 1
    reported = json.load(open(summary_path))["findings"]["by_rule"]
    bad = 0
    print("%-26s %10s %10s" % ("rule", "expected", "reported"))
    for rule, n in sorted(expected.items()):
        got = reported.get(rule, 0)
        print("%-26s %10d %10d %s" % (rule, n, got, "" if n == got else "MISMATCH"))
        bad += n != got
    print("events read by the checker: %d" % events)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
