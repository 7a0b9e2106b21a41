#!/usr/bin/env python3
"""Tests for tests/ocsf_validate.py: valid OCSF 1.1.0 lines pass, deliberately broken ones fail
with the path of what is broken.

Run from the project root: python3 tests/ocsf_validate_test.py
The schema is read from ../shared/ocsf/schema-1.1.0 beside the checkout (OCSF_SCHEMA_DIR
overrides); without it the test prints why and exits 77, which CTest counts as skipped.
"""

import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SCHEMA = os.environ.get("OCSF_SCHEMA_DIR") or os.path.join(ROOT, "..", "shared", "ocsf", "schema-1.1.0")
VALIDATOR = os.path.join(HERE, "ocsf_validate.py")
EXAMPLES = os.path.join(HERE, "ocsf_examples")

# Written from the 1.1.0 source, not copied from the examples: the required attributes of
# detection_finding (base_event + finding + the cloud profile it lists), with the values
# docs/ocsf-mapping.md gives them.
FINDING = {
    "activity_id": 1,
    "activity_name": "Create",
    "category_uid": 2,
    "category_name": "Findings",
    "class_uid": 2004,
    "class_name": "Detection Finding",
    "type_uid": 200401,
    "type_name": "Detection Finding: Create",
    "severity_id": 3,
    "severity": "Medium",
    "status_id": 1,
    "status": "New",
    "time": 1577934245000,
    "metadata": {
        "product": {"name": "trailhound", "vendor_name": "trailhound", "version": "0.9.0"},
        "version": "1.1.0",
        "profiles": ["cloud"],
        "original_time": "2020-01-02T03:04:05Z",
    },
    "cloud": {"provider": "AWS", "region": "eu-west-1", "account": {"uid": "111122223333"}},
    "finding_info": {
        "uid": "0123456789abcdef",
        "title": "network-config-change",
        "types": [],
        "analytic": {"name": "network-config-change", "uid": "network-config-change", "type_id": 1, "type": "Rule"},
    },
    "evidences": [{
        "actor": {"user": {"uid": "arn:aws:iam::111122223333:user/bob", "name": "bob", "type": "IAMUser",
                           "credential_uid": "AKIAEXAMPLEKEY000001"}},
        "api": {"operation": "CreateRoute", "service": {"name": "ec2.amazonaws.com"}},
        "src_endpoint": {"ip": "2001:db8::7"},
    }],
    "observables": [{"name": "evidences.src_endpoint.ip", "type": "IP Address", "type_id": 2, "value": "2001:db8::7"}],
}

# The required attributes of api_activity: actor, api, src_endpoint and cloud among them.
ACTIVITY = {
    "activity_id": 99,
    "activity_name": "AuthorizeSecurityGroupIngress",
    "category_uid": 6,
    "class_uid": 6003,
    "type_uid": 600399,
    "severity_id": 1,
    "status_id": 1,
    "status": "Success",
    "time": 1577934245000,
    "metadata": {
        "uid": "6f1c6b7e-0e54-4d4b-9f7e-3c1d2b0a9e88",
        "product": {"name": "CloudTrail", "vendor_name": "AWS", "version": "1.08"},
        "version": "1.1.0",
        "profiles": ["cloud"],
    },
    "cloud": {"provider": "AWS", "region": "eu-west-1"},
    "actor": {"invoked_by": "cloudformation.amazonaws.com",
              "user": {"uid": "arn:aws:iam::111122223333:user/bob", "name": "bob"}},
    "api": {"operation": "AuthorizeSecurityGroupIngress", "service": {"name": "ec2.amazonaws.com"},
            "request": {"uid": "b7d1c7a0-2222-4c4c-8888-000000000001"}},
    "src_endpoint": {"domain": "cloudformation.amazonaws.com", "svc_name": "cloudformation.amazonaws.com"},
    "http_request": {"user_agent": "cloudformation.amazonaws.com"},
    "unmapped": {"anything": {"goes": ["here", 1, None]}},
    "raw_data": "{\"eventVersion\":\"1.08\"}",
}


def dig(event, path):
    """The parent dict of a dotted path (list indexes as [n]) and the last key."""
    parts = path.replace("]", "").replace("[", ".").split(".")
    cur = event
    for p in parts[:-1]:
        cur = cur[int(p)] if isinstance(cur, list) else cur[p]
    return cur, parts[-1]


def setp(event, path, value):
    e = copy.deepcopy(event)
    parent, key = dig(e, path)
    parent[key] = value
    return e


def delp(event, path):
    e = copy.deepcopy(event)
    parent, key = dig(e, path)
    del parent[key]
    return e


# (name, event, path the validator must name). Each must fail, naming exactly that path.
BROKEN = [
    ("finding: required attribute missing", delp(FINDING, "finding_info.title"), "finding_info.title"),
    ("finding: required top-level missing", delp(FINDING, "severity_id"), "severity_id"),
    ("finding: required in an array element's object", delp(FINDING, "evidences[0].api.operation"),
     "evidences[0].api.operation"),
    ("finding: unknown attribute", setp(FINDING, "finding_info.rule", "x"), "finding_info.rule"),
    ("finding: src_endpoint is no Detection Finding attribute in 1.1.0",
     setp(FINDING, "src_endpoint", {"ip": "192.0.2.1"}), "src_endpoint"),
    ("finding: actor needs the host profile", setp(FINDING, "actor", {"user": {"name": "bob"}}), "actor"),
    ("finding: wrong type (string time)", setp(FINDING, "time", "2020-01-02T03:04:05Z"), "time"),
    ("finding: wrong type (types not an array)", setp(FINDING, "finding_info.types", "Recon:IAMUser/x"),
     "finding_info.types"),
    ("finding: wrong type (raw_data is string_t)", setp(FINDING, "raw_data", {"eventVersion": "1.08"}), "raw_data"),
    ("finding: bad enum value", setp(FINDING, "severity_id", 7), "severity_id"),
    ("finding: bad enum value in an object", setp(FINDING, "finding_info.analytic.type_id", 5),
     "finding_info.analytic.type_id"),
    ("finding: status_id 5 is not a finding status", setp(FINDING, "status_id", 5), "status_id"),
    ("finding: bad type_uid", setp(FINDING, "type_uid", 200101), "type_uid"),
    ("finding: bad IPv4", setp(FINDING, "evidences[0].src_endpoint.ip", "203.0.113.256"),
     "evidences[0].src_endpoint.ip"),
    ("finding: bad IPv6", setp(FINDING, "evidences[0].src_endpoint.ip", "2001:db8::7::1"),
     "evidences[0].src_endpoint.ip"),
    ("finding: category_uid of another class", setp(FINDING, "category_uid", 6), "category_uid"),
    ("finding: observable naming nothing", setp(FINDING, "observables[0].name", "src_endpoint.ip"),
     "observables[0].name"),
    ("finding: empty evidence (at_least_one)", setp(FINDING, "evidences", [{}]), "evidences[0]"),
    ("activity: required attribute missing", delp(ACTIVITY, "actor"), "actor"),
    ("activity: required api.request.uid", delp(ACTIVITY, "api.request.uid"), "api.request.uid"),
    ("activity: cloud required under the cloud profile", delp(ACTIVITY, "cloud"), "cloud"),
    ("activity: unknown attribute (1.1.0 user has no account_uid)",
     setp(ACTIVITY, "actor.user.account_uid", "111122223333"), "actor.user.account_uid"),
    ("activity: wrong type (integer_t as string)", setp(ACTIVITY, "severity_id", "1"), "severity_id"),
    ("activity: wrong type (boolean_t)", setp(ACTIVITY, "actor.session", {"is_mfa": "false"}),
     "actor.session.is_mfa"),
    ("activity: bad enum value", setp(ACTIVITY, "activity_id", 5), "activity_id"),
    ("activity: bad type_uid", setp(ACTIVITY, "type_uid", 600302), "type_uid"),
    ("activity: bad IP", setp(ACTIVITY, "src_endpoint", {"ip": "ec2.amazonaws.com"}), "src_endpoint.ip"),
    ("activity: domain alone fails network_endpoint's at_least_one",
     setp(ACTIVITY, "src_endpoint", {"domain": "ec2.amazonaws.com"}), "src_endpoint"),
    ("activity: unknown class", setp(ACTIVITY, "class_uid", 6099), "class_uid"),
    ("activity: unknown profile", setp(ACTIVITY, "metadata.profiles", ["cloud", "aws"]), "metadata.profiles[1]"),
    ("activity: *_dt needs the datetime profile", setp(ACTIVITY, "time_dt", "2020-01-02T03:04:05Z"), "time_dt"),
]


def run(args, stdin=None):
    p = subprocess.run([sys.executable, VALIDATOR, *args], input=stdin, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def problems(stdout, fname):
    """{line number: [(path, message)]} from FILE:LINE: path: message lines."""
    out = {}
    for line in stdout.splitlines():
        if not line.startswith(fname + ":"):
            continue
        rest = line[len(fname) + 1:]
        num, path, msg = rest.split(": ", 2) if rest.count(": ") >= 2 else (rest.split(":")[0], "", rest)
        out.setdefault(int(num), []).append((path, msg))
    return out


class ValidatorTest(unittest.TestCase):
    def write(self, events):
        f = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)
        self.addCleanup(os.unlink, f.name)
        for e in events:
            f.write((e if isinstance(e, str) else json.dumps(e)) + "\n")
        f.close()
        return f.name

    def test_hand_written_lines_pass_strict(self):
        name = self.write([FINDING, ACTIVITY])
        code, out, _ = run(["--strict", SCHEMA, name])
        self.assertEqual(code, 0, out)
        self.assertEqual(out.strip().splitlines()[-1], "ocsf: 2 passed, 0 failed")

    def test_examples_pass_strict(self):
        files = [os.path.join(EXAMPLES, f) for f in ("detection_finding.jsonl", "api_activity.jsonl")]
        code, out, _ = run(["--strict", SCHEMA, *files])
        self.assertEqual(code, 0, out)
        self.assertEqual(out.strip().splitlines()[-1], "ocsf: 2 passed, 0 failed")

    def test_examples_are_the_classes_they_claim(self):
        for fname, uid in (("detection_finding.jsonl", 2004), ("api_activity.jsonl", 6003)):
            with open(os.path.join(EXAMPLES, fname), encoding="utf-8") as f:
                lines = [json.loads(l) for l in f if l.strip()]
            self.assertTrue(lines)
            self.assertTrue(all(e["class_uid"] == uid for e in lines), fname)

    def test_broken_lines_fail_at_the_right_path(self):
        name = self.write([ev for _, ev, _ in BROKEN])
        code, out, _ = run([SCHEMA, name])
        self.assertEqual(code, 1, out)
        self.assertEqual(out.strip().splitlines()[-1], f"ocsf: 0 passed, {len(BROKEN)} failed")
        found = problems(out, name)
        for n, (what, _, path) in enumerate(BROKEN, 1):
            with self.subTest(what):
                errors = [p for p, m in found.get(n, []) if not m.startswith("warning:")]
                self.assertIn(path, errors, f"line {n}: {found.get(n)}")

    def test_sibling_mismatch_warns_and_fails_only_when_strict(self):
        name = self.write([setp(FINDING, "severity", "High")])
        code, out, _ = run([SCHEMA, name])
        self.assertEqual(code, 0, out)
        self.assertIn(f"{name}:1: severity: warning:", out)
        code, out, _ = run(["--strict", SCHEMA, name])
        self.assertEqual(code, 1, out)
        self.assertIn("ocsf: 0 passed, 1 failed", out)

    def test_other_with_source_value_is_fine(self):
        name = self.write([ACTIVITY, setp(ACTIVITY, "activity_name", "Other")])
        code, out, _ = run([SCHEMA, name])
        self.assertEqual(code, 0, out)
        self.assertNotIn(f"{name}:1:", out)
        self.assertIn(f"{name}:2: activity_name: warning:", out)

    def test_invalid_json_and_stdin(self):
        code, out, _ = run([SCHEMA, "-"], stdin=json.dumps(ACTIVITY) + "\n{not json\n\n")
        self.assertEqual(code, 1, out)
        self.assertIn("<stdin>:2: (line): invalid JSON", out)
        self.assertIn("ocsf: 1 passed, 1 failed", out)

    def test_no_events_is_a_failure(self):
        code, out, err = run([SCHEMA, "-"], stdin="")
        self.assertEqual(code, 1)
        self.assertIn("no events read", err)

    def test_bad_schema_dir_is_usage_error(self):
        code, _, err = run([os.path.join(ROOT, "no-such-schema"), "-"], stdin="")
        self.assertEqual(code, 2)
        self.assertIn("cannot read the schema", err)


if __name__ == "__main__":
    if not os.path.isfile(os.path.join(SCHEMA, "dictionary.json")):
        print(f"ocsf_validate_test: skipped: no OCSF schema at {os.path.normpath(SCHEMA)}")
        sys.exit(77)
    unittest.main(verbosity=1)
