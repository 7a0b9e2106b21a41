#!/usr/bin/env python3
"""Writes the hostile-input corpus of test-data/hostile/ (deterministic: gzip mtime 0).

    make_hostile.py              rewrite the small committed files beside this script
    make_hostile.py --big DIR    write the big cases (bombs, 1M events, 32 MiB field, 100k
                                 nesting) into DIR; tests/hostile_big.sh calls this at test time

Every event is minimal: enough fields for trailhound to use it, nothing more.
"""
import gzip
import json
import os
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def event(i, **over):
    e = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAHOSTILE000000001",
            "arn": "arn:aws:iam::111122223333:user/alice",
            "accountId": "111122223333",
            "accessKeyId": "AKIAHOSTILE000000001",
            "userName": "alice",
        },
        "eventTime": "2026-03-14T10:%02d:00Z" % (i % 60),
        "eventSource": "s3.amazonaws.com",
        "eventName": "ListBuckets",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.10",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": None,
        "eventID": "hostile-%d" % i,
    }
    for k, v in over.items():
        if k == "userName":
            e["userIdentity"] = dict(e["userIdentity"], userName=v)
        else:
            e[k] = v
    return e


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def records(events):
    return b'{"Records":[' + b",".join(events) + b"]}"


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def deep(levels, inner=b"1"):
    return b'{"a":' * levels + inner + b"}" * levels


def deep_array(levels):
    return b"[" * levels + b"]" * levels


def gzip_zeros(total, chunk=64 << 20):
    """A gzip stream of `total` zero bytes, built one compressed chunk at a time: the same
    member repeated (multi-member gzip), so that making a multi-GiB bomb costs a few MB."""
    n = max(1, total // chunk)
    member = gz(b"\0" * min(chunk, total))
    return member * n


def small(out):
    good = dumps(event(0))
    # Decode-stage damage.
    full = gz(records([dumps(event(i)) for i in range(40)]))
    write(f"{out}/truncated.json.gz", full[: len(full) * 7 // 10])
    write(f"{out}/not-gzip.json.gz", records([good]))
    write(f"{out}/empty.json", b"")
    write(f"{out}/empty.json.gz", b"")
    write(f"{out}/gzip-of-nothing.json.gz", gz(b""))
    write(f"{out}/bomb-16m.json.gz", gzip_zeros(16 << 20, 16 << 20))
    write(f"{out}/good.json", records([good]))

    # Deep nesting: inside requestParameters beside a good record, at the top level, and in
    # NDJSON (several top-level values go through simdjson's stream parser).
    deep_rp = dumps(event(1)).replace(b'"requestParameters":null',
                                      b'"requestParameters":' + deep(100000))
    write(f"{out}/deep-request-parameters.json.gz", gz(records([good, deep_rp])))
    write(f"{out}/deep-top.json.gz", gz(deep_array(100000)))
    write(f"{out}/deep-ndjson.json.gz", gz(good + b"\n" + deep_rp + b"\n" + dumps(event(2)) + b"\n"))
    # Moderately deep: 20 levels, under the default --max-depth 256, over --max-depth 8.
    deep20 = dumps(event(3)).replace(b'"requestParameters":null',
                                     b'"requestParameters":' + deep(20))
    write(f"{out}/depth-20.json", records([good, deep20]))
    write(f"{out}/depth-20.ndjson", good + b"\n" + deep20 + b"\n")

    # Invalid UTF-8 inside strings.
    bad = dumps(event(4)).replace(b'"aws-cli/2.15.0"', b'"aws-cli/\xff\xfe bad \xc0\xaf"')
    bad = bad.replace(b'"userName":"alice"', b'"userName":"al\xedi\xa0\x80ce"')
    bad = bad.replace(b'"ListBuckets"', b'"List\xe2\x82Buckets\xf8"')
    write(f"{out}/invalid-utf8.json", records([good, bad]))

    # One 32 MiB string field (compresses to about 32 KB).
    huge = dumps(event(5)).replace(b'"aws-cli/2.15.0"', b'"' + b"A" * (32 << 20) + b'"')
    write(f"{out}/field-32m.json.gz", gz(records([good, huge])))

    # Times that cannot be read, beside good records.
    write(f"{out}/bad-eventtime.json", records([
        good,
        dumps(event(6, eventTime="not a time")),
        dumps(event(7, eventTime=1773482400)),
        dumps(event(8, eventTime="2026-02-30T10:00:00Z")),
        dumps(event(9, eventTime="\x1b[2J2026-03-14T10:00:00Z")),
        dumps(event(10, eventTime=None)),
        dumps(event(11)),
    ]))

    # sourceIPAddress values that are not addresses, or not what they seem.
    write(f"{out}/source-ip.json", records([
        good,
        dumps(event(12, sourceIPAddress="not an address; DROP TABLE")),
        dumps(event(13, sourceIPAddress="035.249.253.232")),
        dumps(event(14, sourceIPAddress="1" * 10240)),
        dumps(event(15, sourceIPAddress="\x1b[31m203.0.113.66\x1b[0m")),
        dumps(event(16, sourceIPAddress="35.249.253.232")),
    ]))
    write(f"{out}/threat-35.txt", b"# a threat list naming the leading-zero address's decimal reading\n"
          b"35.249.253.232\n29.249.253.232\n")

    # lookup-events: CloudTrailEvent null, a number, invalid JSON, beside good ones.
    lookup = {"Events": [
        {"EventId": "g1", "EventName": "ListBuckets", "CloudTrailEvent": json.dumps(event(20))},
        {"EventId": "n1", "EventName": "ListBuckets", "CloudTrailEvent": None},
        {"EventId": "n2", "EventName": "ListBuckets", "CloudTrailEvent": 42},
        {"EventId": "n3", "EventName": "ListBuckets", "CloudTrailEvent": "{\"eventTime\": \"2026-03-14T10:00:00Z\", broken"},
        {"EventId": "n4", "EventName": "ListBuckets"},
        {"EventId": "g2", "EventName": "ListBuckets", "CloudTrailEvent": json.dumps(event(21))},
    ]}
    write(f"{out}/lookup-events-bad.json", dumps(lookup))

    # Terminal escape sequences and spreadsheet formulas in user agents and user names.
    payloads = [
        ("\x1b]0;pwned\x07", "\x1b[2J"),
        ("=HYPERLINK(\"http://evil.example/\",\"click\")", "@SUM(1)"),
        ("+1", "-1"),
        ("\tleading-tab", "=1+2"),
        ("\u009b31mC1-csi", "ok\rover"),
    ]
    write(f"{out}/injection.json", records([
        dumps(event(30 + i, userAgent=ua, userName=un))
        for i, (ua, un) in enumerate(payloads)
    ]))

    # Markup, script URLs, bidi overrides and invalid UTF-8 in the fields an HTML page shows:
    # the user agent, user name, error code and message and request parameters. The address is
    # on html-threats.txt, so the same text reaches the findings too.
    xss = [
        ("<script>window.__pwned=1</script>", "\"><img src=x onerror=window.__pwned=2>",
         "<svg onload=window.__pwned=3>", "javascript:window.__pwned=4",
         {"url": "javascript:window.__pwned=5", "x": "</pre></details><script>window.__pwned=6</script>"}),
        ("Mozilla/5.0 \u202egnp.exe\u202c <iframe src=\"https://evil.example/\">",
         "admin\u202e\u2066nimda\u2069", "' onmouseover='window.__pwned=7",
         "<a href=\"javascript:window.__pwned=8\">click</a>",
         {"bucketName": "<style>body{background:url(https://evil.example/a.png)}</style>"}),
        ("aws-cli/2.15.0 \u0000\u001b[31m", "<!--", "]]><![CDATA[", "-->",
         {"policy": "<base href=\"https://evil.example/\"><link rel=stylesheet href=//evil.example/x.css>"}),
    ]
    xss_events = [
        dumps(event(50 + i, userAgent=ua, userName=un, errorCode=code, errorMessage=msg,
                    requestParameters=rp, eventName="GetObject", eventTime="2026-03-14T10:%02d:00Z" % (50 + i),
                    sourceIPAddress="203.0.113.66"))
        for i, (ua, un, code, msg, rp) in enumerate(xss)
    ]
    bad_utf8 = dumps(event(53, sourceIPAddress="203.0.113.66", userAgent="ua-bad-utf8",
                           errorMessage="msg-bad-utf8", requestParameters={"key": "rp-bad-utf8"}))
    bad_utf8 = bad_utf8.replace(b"ua-bad-utf8", b"<scr\xffipt>\xc0\xaf\xed\xa0\x80")
    bad_utf8 = bad_utf8.replace(b"msg-bad-utf8", b"\xe2\x80<img src=x>")
    bad_utf8 = bad_utf8.replace(b"rp-bad-utf8", b"\xf8\x88\x80\x80\x80")
    write(f"{out}/html-injection.json", records(xss_events + [bad_utf8]))
    write(f"{out}/html-threats.txt", b"# the address of html-injection.json\n203.0.113.66\n")

    # A symlink cycle under a folder: loop/a/b -> .. ; loop/a/good.json once.
    os.makedirs(f"{out}/loop/a", exist_ok=True)
    write(f"{out}/loop/a/good.json", records([good]))
    link = f"{out}/loop/a/b"
    if not os.path.islink(link):
        os.symlink("..", link)
    # A folder whose name says gzip: walked as a folder, not opened as a file.
    os.makedirs(f"{out}/dir.json.gz", exist_ok=True)
    write(f"{out}/dir.json.gz/inside.json", records([dumps(event(40))]))
    # A dangling symlink given as an input.
    dangling = f"{out}/dangling.json.gz"
    if not os.path.islink(dangling):
        os.symlink("does-not-exist.json.gz", dangling)


def big(out):
    os.makedirs(out, exist_ok=True)
    good = dumps(event(0))
    # 4 GiB of zeros in 64 MiB members: about 4 MB on disk.
    write(f"{out}/bomb-4g.json.gz", gzip_zeros(4 << 30))
    # 1,000,000 tiny events in one Records array (gzip, about 1 MB).
    tiny = b'{"eventTime":"2026-03-14T10:00:00Z","eventName":"E","sourceIPAddress":"198.51.100.10"}'
    body = b'{"Records":[' + b",".join([tiny] * 1000000) + b"]}"
    write(f"{out}/million.json.gz", gz(body))
    # One 32 MiB string field and 100,000 levels of nesting (plain, to exercise the parser
    # without gzip in between).
    write(f"{out}/field-32m.json",
          records([good, dumps(event(5)).replace(b'"aws-cli/2.15.0"', b'"' + b"A" * (32 << 20) + b'"')]))
    deep_rp = dumps(event(1)).replace(b'"requestParameters":null',
                                      b'"requestParameters":' + deep(100000))
    write(f"{out}/deep-100k.json", records([good, deep_rp]))
    write(f"{out}/deep-100k.ndjson", good + b"\n" + deep_rp + b"\n" + good + b"\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--big":
        big(sys.argv[2])
    elif len(sys.argv) == 1:
        small(HERE)
    else:
        sys.exit(__doc__)
