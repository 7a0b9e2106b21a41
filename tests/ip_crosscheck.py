#!/usr/bin/env python3
"""Cross-check of `trailhound ip lookup` against Python's ipaddress module.

Generates random nested IPv4 and IPv6 prefixes (fixed seed) into a temporary plain list, random
addresses (half inside a known prefix) plus a few malformed ones, runs
`trailhound ip lookup --threat-list rnd=FILE --format jsonl -` and compares every answer: the
valid flag, and the most specific matching prefix. Exit 0 on agreement, 1 on any mismatch.

usage: ip_crosscheck.py TRAILHOUND [--prefixes N] [--addresses N] [--seed S]
"""
import argparse
import ipaddress
import json
import os
import random
import subprocess
import sys
import tempfile

# Inputs trailhound must refuse (Python would accept the zone id, so it is checked by hand).
INVALID = ["035.249.253.232", "1.2.3.256", "1.2.3", "fe80::1%eth0", "[2001:db8::1]", "1:::2",
           "not an address"]


def random_prefix(rng, version, parents):
    bits = 32 if version == 4 else 128
    same = [p for p in parents if p.version == version and p.prefixlen < bits]
    if same and rng.random() < 0.35:
        parent = rng.choice(same)  # nest inside an earlier prefix
        length = rng.randint(parent.prefixlen + 1, bits)
        host = rng.getrandbits(bits - parent.prefixlen)
        value = int(parent.network_address) | host
    else:
        # Mostly realistic lengths, a few short ones and some host entries (/0 is unit-tested;
        # here it would cover every address and hide misses).
        if rng.random() < 0.002:
            length = rng.randint(6, 11) if version == 4 else rng.randint(10, 15)
        else:
            length = rng.randint(12, 32) if version == 4 else rng.randint(16, 128)
        if rng.random() < 0.1:
            length = bits
        value = rng.getrandbits(bits)
        if version == 6:  # keep IPv6 in a few /8s so that random addresses hit them too
            value = (rng.choice([0x20, 0x26, 0x2a]) << 120) | (value & ((1 << 120) - 1))
    cls = ipaddress.IPv4Network if version == 4 else ipaddress.IPv6Network
    return cls((value, length), strict=False), value


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trailhound")
    ap.add_argument("--prefixes", type=int, default=20000)
    ap.add_argument("--addresses", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=20181128)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    networks = []
    lines = []
    for i in range(args.prefixes):
        net, raw = random_prefix(rng, 4 if i % 2 == 0 else 6, networks[-500:] if networks else [])
        networks.append(net)
        # Some entries keep their host bits: trailhound masks them, as strict=False does here.
        addr_cls = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
        shown = addr_cls(raw) if rng.random() < 0.1 else net.network_address
        lines.append(f"{shown}/{net.prefixlen}")

    by_length = {}
    for net in networks:
        by_length.setdefault((net.version, net.prefixlen), set()).add(int(net.network_address))
    lengths = {4: sorted({l for v, l in by_length if v == 4}, reverse=True),
               6: sorted({l for v, l in by_length if v == 6}, reverse=True)}

    def most_specific(addr):
        bits = addr.max_prefixlen
        value = int(addr)
        for length in lengths[addr.version]:
            masked = value & (((1 << length) - 1) << (bits - length)) if length else 0
            if masked in by_length[(addr.version, length)]:
                return ipaddress.ip_network((masked, length)) if addr.version == 4 else \
                    ipaddress.IPv6Network((masked, length))
        return None

    inputs = []
    for i in range(args.addresses):
        version = 4 if i % 2 == 0 else 6
        bits = 32 if version == 4 else 128
        if i % 4 < 2:
            net = rng.choice(networks)
            bits = net.max_prefixlen
            value = int(net.network_address) | rng.getrandbits(bits - net.prefixlen) \
                if net.prefixlen < bits else int(net.network_address)
            addr = ipaddress.ip_address(value) if net.version == 4 else ipaddress.IPv6Address(value)
        else:
            value = rng.getrandbits(bits)
            if version == 6:
                value = (rng.choice([0x20, 0x26, 0x2a]) << 120) | (value & ((1 << 120) - 1))
            addr = ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value)
        inputs.append(str(addr))
    inputs.extend(INVALID)

    with tempfile.TemporaryDirectory() as tmp:
        list_path = os.path.join(tmp, "random.netset")
        with open(list_path, "w") as f:
            f.write("# random prefixes for ip_crosscheck.py\n")
            f.write("\n".join(lines) + "\n")
        proc = subprocess.run(
            [args.trailhound, "ip", "lookup", "--threat-list", f"rnd={list_path}", "--format",
             "jsonl", "-"],
            input="\n".join(inputs) + "\n", capture_output=True, text=True)
    if proc.returncode not in (0, 3):
        print(f"ip_crosscheck: trailhound exited {proc.returncode}: {proc.stderr.strip()}")
        return 1
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    mismatches = []
    if len(rows) != len(inputs):
        mismatches.append(f"expected {len(inputs)} rows, got {len(rows)}")
    for text, row in zip(inputs, rows):
        if row.get("address") != text:
            mismatches.append(f"{text}: row is for {row.get('address')!r} (order broken)")
            continue
        if text in INVALID:
            if row.get("valid") is not False:
                mismatches.append(f"{text}: expected invalid, got {row}")
            continue
        expected = most_specific(ipaddress.ip_address(text))
        got = [e for e in row.get("lists", []) if e.get("name") == "rnd"]
        if row.get("valid") is not True:
            mismatches.append(f"{text}: expected valid, got {row}")
        elif expected is None and got:
            mismatches.append(f"{text}: expected no match, got {got[0]['prefix']}")
        elif expected is not None and (not got or ipaddress.ip_network(got[0]["prefix"]) != expected):
            mismatches.append(f"{text}: expected {expected}, got {got[0]['prefix'] if got else 'none'}")
    if proc.returncode != 3:
        mismatches.append(f"exit code {proc.returncode}, expected 3 (invalid inputs present)")
    matched = sum(1 for t in inputs if t not in INVALID and most_specific(ipaddress.ip_address(t)))
    if mismatches:
        for m in mismatches[:50]:
            print("MISMATCH " + m)
        print(f"ip_crosscheck: FAIL {len(mismatches)} mismatches over {len(inputs)} inputs "
              f"({len(networks)} prefixes, seed {args.seed})")
        return 1
    print(f"ip_crosscheck: OK {len(inputs)} inputs agree ({matched} inside a prefix, "
          f"{len(INVALID)} invalid) over {len(networks)} IPv4+IPv6 prefixes, seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
