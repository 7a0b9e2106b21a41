#!/usr/bin/env python3
"""--format html at scale: one principal with 100,000 events over three days.

    html_scale.py TRAILHOUND [KEEP.html]

The investigation's page must list exactly 5,000 event rows, say how to get the rest, chart
the events in bounded columns (per hour over three days), and stay a page a browser opens
(under 16 MB). KEEP.html keeps the page (the browser test can load it).
"""
import base64
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

EVENTS = 100_000


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    trailhound = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="th-html-scale-")
    log = os.path.join(tmp, "big.json.gz")
    # Three days, one event every 2.6 s, from 40 addresses; every 1000th denied.
    start = 1773446400  # 2026-03-14T00:00:00Z
    with gzip.open(log, "wt", compresslevel=1) as f:
        for i in range(EVENTS):
            t = start + i * 259200 // EVENTS
            e = {
                "eventVersion": "1.09",
                "userIdentity": {"type": "IAMUser", "principalId": "AIDASCALE0000000001",
                                 "arn": "arn:aws:iam::111122223333:user/busy",
                                 "accountId": "111122223333", "accessKeyId": "AKIASCALE00000000001",
                                 "userName": "busy"},
                "eventTime": "%04d-%02d-%02dT%02d:%02d:%02dZ" % (2026, 3, 14 + (t - start) // 86400,
                                                                 (t // 3600) % 24, (t // 60) % 60, t % 60),
                "eventSource": "s3.amazonaws.com",
                "eventName": "GetObject" if i % 7 else "ListBuckets",
                "awsRegion": "us-east-1",
                "sourceIPAddress": "198.51.100.%d" % (i % 40),
                "userAgent": "aws-cli/2.15.0",
                "requestParameters": {"bucketName": "b", "key": "k/%d" % i},
                "eventID": "scale-%d" % i,
            }
            if i % 1000 == 0:
                e["errorCode"] = "AccessDenied"
            f.write(json.dumps(e, separators=(",", ":")) + "\n")
    page = sys.argv[2] if len(sys.argv) == 3 else os.path.join(tmp, "big.html")
    r = subprocess.run([trailhound, "investigate", "--access-key", "AKIASCALE00000000001",
                        "--format", "html", "-o", page, log],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    problems = []
    if r.returncode != 0:
        problems.append(f"exit {r.returncode}: {r.stderr.decode()[:300]}")
    text = open(page, encoding="utf-8").read() if os.path.exists(page) else ""
    size = len(text.encode())
    table = text[text.find('id="event-table"'):]
    rows = table.count("<tr>") - 1  # less the header row
    bars = text.count('<rect class="bin"')
    if rows != 5000:
        problems.append(f"{rows} event rows; expected 5000")
    if f"The first 5000 of {EVENTS} events are listed; --format jsonl prints every event." not in text:
        problems.append("no note on the rows left out")
    if not re.search(r"events per hour, one lane per source address", text):
        problems.append("the chart is not per hour")
    # 3 days per hour: 72 columns (73 with a partial one), 12 lanes and one for the others.
    if not 0 < bars <= 73 * 13:
        problems.append(f"{bars} chart bars; expected 1 to {73 * 13}")
    if "28 others (" not in text:
        problems.append("the 28 quieter addresses do not share one lane")
    # The policy's hashes are those of the page's one style and one script; no URL anywhere.
    csp = re.search(r'content="(default-src [^"]*)"', text)
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        bodies = re.findall(r"<%s>(.*?)</%s>" % (tag, tag), text, re.S)
        digest = base64.b64encode(hashlib.sha256(bodies[0].encode()).digest()).decode() if bodies else ""
        if len(bodies) != 1 or not csp or f"{directive} 'sha256-{digest}'" not in csp.group(1):
            problems.append(f"the CSP {directive} hash is not that of the page's one <{tag}>")
    if not csp or not csp.group(1).startswith("default-src 'none';"):
        problems.append("the CSP does not start with default-src 'none'")
    if re.search(r"(?i)(https?|ftp|file):|url\(|@import", text):
        problems.append("a URL in the page")
    if size > 16 << 20:
        problems.append(f"the page is {size} bytes")
    print(f"page: {size} bytes, {rows} rows, {bars} bars")
    if problems:
        for p in problems:
            print("FAIL " + p)
        return 1
    print("html scale: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
