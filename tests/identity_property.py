#!/usr/bin/env python3
"""Every name a summary prints selects the events it counted.

For each folder, `trailhound summary --format jsonl` prints one row per principal. For each
row's principal.user, each of its access keys and each of its source addresses, run
`trailhound timeline --user NAME` (--access-key, --source-ip) over the same folder and check
the number of events equals what the summary counted for it:
  user:        the sum of `events` over the rows showing that user;
  access key:  the events carrying that accessKeyId, counted from the unfiltered timeline's
               records (the summary lists a row's keys without counts);
  source ip:   likewise for the sourceIPAddress: the same address however written (an
               IPv4-mapped IPv6 source is its IPv4 address, as --source-ip documents), or
               the same text for one that is no address.
A name --source-ip cannot take (text with spaces, such as "AWS Internal") is skipped and
counted as skipped.

Usage: identity_property.py TRAILHOUND ROOT...   (each folder in a ROOT is one data set; one
without CloudTrail files is skipped). Exit 77 when no ROOT exists (real data absent).
"""
import collections
import concurrent.futures
import ipaddress
import json
import os
import subprocess
import sys


class NoData(Exception):
    pass


def jsonl(bin_path, args):
    p = subprocess.run([bin_path, *args, "--format", "jsonl", "-q", "-j", "1"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if p.returncode == 2 and b"no files were read" in p.stderr:
        raise NoData()
    if p.returncode not in (0, 3):
        raise RuntimeError(f"{' '.join(args)}: exit {p.returncode}: {p.stderr.decode()[:300]}")
    return [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]


def events_of(lines):
    return [x for x in lines if x.get("type") == "event"]


def address(text):
    """The address `text` is (IPv4-mapped IPv6 as IPv4), or None."""
    try:
        a = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(a, ipaddress.IPv6Address) and a.ipv4_mapped is not None:
        return a.ipv4_mapped
    return a


def row_key(p):
    """The summary's row key of an event's principal: ARN, else principalId, else type:user."""
    return p["arn"] or p["principal_id"] or f"{p['type']}:{p['user'] or ''}"


def answers_to(identity, name):
    """The forms --user documents (PRINCIPAL MATCHING), read from the record itself."""
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    arn = identity.get("arn") or ""
    forms = {identity.get("userName"), arn, identity.get("principalId"), issuer.get("userName"),
             issuer.get("arn"), (identity.get("onBehalfOf") or {}).get("userId"),
             identity.get("invokedBy"), identity.get("accountId")}
    if ":assumed-role/" in arn:
        role_session = arn.split(":assumed-role/", 1)[1]
        forms |= {role_session, *role_session.split("/", 1)}
    if ":user/" in arn:
        forms.add(arn.rsplit("/", 1)[1])
    return name in forms


def printable(text):
    return text and all(" " < c < "\x7f" for c in text)


def check(bin_path, folder):
    try:
        rows = [x for x in jsonl(bin_path, ["summary", folder]) if x.get("type") == "principal"]
    except NoData:
        print(f"{folder}: no CloudTrail files: skipped")
        return True
    records = [e["record"] for e in events_of(jsonl(bin_path, ["timeline", folder]))]
    want = {"user": collections.Counter(), "access-key": collections.Counter(),
            "source-ip": collections.Counter()}
    for r in rows:
        if r["principal"]["user"]:
            want["user"][r["principal"]["user"]] += r["events"]
        for k in r["access_keys"]:
            want["access-key"][k] = 0
        for ip in r["source_ips"]:
            want["source-ip"][ip] = 0
    by_address = collections.defaultdict(list)
    for text in want["source-ip"]:
        if address(text) is not None:
            by_address[address(text)].append(text)
    for rec in records:
        key = (rec.get("userIdentity") or {}).get("accessKeyId")
        if isinstance(key, str) and key in want["access-key"]:
            want["access-key"][key] += 1
        ip = rec.get("sourceIPAddress")
        if not isinstance(ip, str):
            continue
        # An address selects the events of that address however it is written (an
        # IPv4-mapped IPv6 source is its IPv4 address); other text selects itself.
        for text in by_address.get(address(ip), ()) or ([ip] if ip in want["source-ip"] else []):
            want["source-ip"][text] += 1
    jobs, skipped = [], 0
    for flag, names in want.items():
        for name, n in names.items():
            if flag == "source-ip" and not printable(name):
                skipped += 1
                continue
            jobs.append((flag, name, n))

    rows_of = collections.defaultdict(dict)  # user -> {row key: events}
    for r in rows:
        rows_of[r["principal"]["user"]][r["key"]] = r["events"]

    def run(job):
        flag, name, n = job
        events = events_of(jsonl(bin_path, ["timeline", f"--{flag}={name}", folder]))
        if flag != "user":
            return flag, name, n, len(events), []
        # --user also takes a role or session name: a row of another principal may answer
        # to NAME too. The rows showing NAME must be selected whole; any other event must
        # name NAME in one of the documented forms.
        by_row, stray = collections.Counter(), []
        for e in events:
            key = row_key(e["principal"])
            if key in rows_of[name]:
                by_row[key] += 1
            elif not answers_to(e["record"].get("userIdentity") or {}, name):
                stray.append(key)
        got = sum(by_row.values())
        return flag, name, n, got, [f"{k} does not answer to {name!r}" for k in stray]

    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for flag, name, n, got, why in pool.map(run, jobs):
            if got != n:
                failures.append(f"  --{flag} {name!r}: summary counted {n}, timeline selected {got}")
            failures.extend(f"  --{flag} {name!r}: {w}" for w in why)
    counts = {f: len(v) for f, v in want.items()}
    print(f"{folder}: {len(rows)} rows, {len(records)} events; checked {counts['user']} users, "
          f"{counts['access-key']} keys, {counts['source-ip'] - skipped} addresses "
          f"({skipped} skipped); {len(failures)} mismatches")
    for f in failures:
        print(f)
    return not failures


def data_sets(root):
    """Each folder in `root` is one data set."""
    return sorted(os.path.join(root, d) for d in os.listdir(root)
                  if os.path.isdir(os.path.join(root, d)) and not d.startswith(("_", ".")))


def main():
    bin_path, roots = sys.argv[1], sys.argv[2:]
    roots = [r for r in roots if os.path.isdir(r)]
    if not roots:
        print("no data folder: skipped")
        return 77
    ok = True
    for root in roots:
        for folder in data_sets(root):
            ok = check(bin_path, folder) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
