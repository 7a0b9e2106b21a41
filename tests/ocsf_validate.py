#!/usr/bin/env python3
"""Check JSON Lines against the OCSF schema source (1.1.0), the way `--format ocsf` must pass.

usage: ocsf_validate.py [--strict] [--recommended] SCHEMA_DIR FILE...   (FILE "-" is stdin)

SCHEMA_DIR is an OCSF schema source tree (events/, objects/, profiles/, includes/,
dictionary.json, categories.json). It is compiled here the way the OCSF server compiles it:

  * `$include` of includes/*.json and profiles/*.json is merged under the class's or object's
    own attributes; attributes that come from a profile are tagged with that profile, unless
    the class sets `"profile": null` on them (API Activity does so for `api`);
  * `extends` deep-merges the parent's attributes under the child's, and a `null` attribute
    removes it; class `profiles` lists concatenate;
  * each attribute is merged over its dictionary.json entry (type, is_array, enum, sibling);
  * every timestamp_t attribute `x` gains `x_dt` (datetime_t, optional) of the datetime profile;
  * class_uid = category uid * 1000 + class uid; type_uid = class_uid * 100 + activity_id;
  * observable.type_id takes its values from the types and objects that carry `observable`.

An attribute tagged with a profile exists only when the event's metadata.profiles lists that
profile. Objects of type `object` (unmapped, xattributes) are free-form; raw_data is a string.

Errors fail the line: invalid JSON, unknown class, a required attribute missing, an attribute
the class or object does not define (or defines only under an unlisted profile), a wrong type,
an enum value not defined, type_uid or category_uid inconsistent with the class, a failed
`at_least_one`/`just_one` constraint, an unknown profile, an observable whose name refers to
no attribute. Warnings do not fail a line unless --strict: an enum sibling (severity,
activity_name, status, type_name, class_name, category_name, ...) that does not match the
caption (the schema makes matching a recommendation), metadata.version other than the schema's,
a deprecated attribute, a timestamp that does not look like milliseconds, and with
--recommended a recommended attribute missing.

Output: one `FILE:LINE: path.to.attr: message` per problem, then `ocsf: N passed, M failed`.
Exit 0 when every line passes (and at least one line was read), 1 otherwise, 2 on bad usage.
Python 3 standard library only.
"""

import argparse
import copy
import ipaddress
import json
import os
import re
import sys
import urllib.parse

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
# Milliseconds since the epoch for 1973-03-03 .. 5138-11-16: outside it, a timestamp_t value
# is more likely seconds, microseconds or nanoseconds than milliseconds.
MS_PLAUSIBLE = (10**11, 10**14)


def deep_merge(left, right):
    """Right wins; dicts merge recursively; an explicit None on the right is kept (it deletes)."""
    if not isinstance(left, dict) or not isinstance(right, dict):
        return copy.deepcopy(right)
    out = copy.deepcopy(left)
    for k, v in right.items():
        out[k] = deep_merge(out[k], v) if k in out and isinstance(out[k], dict) and isinstance(v, dict) else copy.deepcopy(v)
    return out


class Schema:
    def __init__(self, root):
        self.root = root
        self._json_cache = {}
        dictionary = self._load("dictionary.json")
        self.dict_attrs = dictionary["attributes"]
        self.types = dictionary["types"]["attributes"]
        self.categories = {name: c for name, c in self._load("categories.json")["attributes"].items()}
        self.version = self._load("version.json").get("version", "")
        self.profiles = {}
        for fn in sorted(os.listdir(os.path.join(root, "profiles"))):
            if fn.endswith(".json"):
                p = self._load(os.path.join("profiles", fn))
                self.profiles[p["name"]] = p

        raw_objects = {}
        for fn in sorted(os.listdir(os.path.join(root, "objects"))):
            if fn.endswith(".json"):
                o = self._resolve_includes(self._load(os.path.join("objects", fn)))
                raw_objects[o["name"]] = o
        raw_classes = {}
        for dirpath, _, files in sorted(os.walk(os.path.join(root, "events"))):
            for fn in sorted(files):
                if fn.endswith(".json"):
                    rel = os.path.relpath(os.path.join(dirpath, fn), root)
                    c = self._resolve_includes(self._load(rel))
                    raw_classes[c["name"]] = c

        self._observable_objects = {o["observable"]: o.get("caption", n)
                                    for n, o in raw_objects.items() if "observable" in o}
        self.objects = {n: self._compile(self._extend(raw_objects, n, {})) for n in raw_objects}
        self.classes_by_uid = {}
        for name in raw_classes:
            c = self._compile(self._extend(raw_classes, name, {}))
            cat = c.get("category")
            cat_uid = 0 if cat in (None, "other") else self.categories[cat]["uid"]
            c["category_uid"] = cat_uid
            c["category_caption"] = "Other" if cat_uid == 0 else self.categories[cat]["caption"]
            if "uid" in raw_classes[name]:
                c["class_uid"] = cat_uid * 1000 + c["uid"]
            elif name == "base_event":
                c["class_uid"] = 0
            else:
                continue  # abstract category classes (finding, application, ...) have no uid
            self._class_enums(c)
            self.classes_by_uid[c["class_uid"]] = c
        self._observable_enum()

    # -- loading and compiling -----------------------------------------------------------
    def _load(self, rel):
        if rel not in self._json_cache:
            with open(os.path.join(self.root, rel), encoding="utf-8") as f:
                self._json_cache[rel] = json.load(f)
        return copy.deepcopy(self._json_cache[rel])

    def _included_attrs(self, rel):
        inc = self._resolve_includes(self._load(rel))
        profile = inc.get("name") if inc.get("meta") == "profile" else None
        annotations = inc.get("annotations", {})
        out = {}
        for name, attr in inc.get("attributes", {}).items():
            attr = dict(attr)
            if profile is not None and "profile" not in attr:
                attr["profile"] = profile
            out[name] = deep_merge(annotations, attr)
        return out

    def _resolve_includes(self, item):
        attrs = item.get("attributes") or {}
        inc = attrs.pop("$include", None)
        if inc is not None:
            merged = {}
            for rel in [inc] if isinstance(inc, str) else inc:
                merged = deep_merge(merged, self._included_attrs(rel))
            attrs = deep_merge(merged, attrs)
        for name, attr in list(attrs.items()):  # attribute-level `$include` (enum files)
            if isinstance(attr, dict) and "$include" in attr:
                rel = attr.pop("$include")
                attrs[name] = deep_merge(self._load(rel), attr)
        item["attributes"] = attrs
        return item

    def _extend(self, items, name, seen):
        item = items[name]
        parent = item.get("extends")
        if not parent:
            return copy.deepcopy(item)
        if parent not in items or parent in seen:
            raise ValueError(f"schema: {name} extends unknown or circular {parent!r}")
        base = self._extend(items, parent, {**seen, name: True})
        out = deep_merge({k: v for k, v in base.items() if k != "attributes"},
                         {k: v for k, v in item.items() if k != "attributes"})
        out["profiles"] = list(dict.fromkeys((base.get("profiles") or []) + (item.get("profiles") or [])))
        out["attributes"] = deep_merge(base.get("attributes", {}), item.get("attributes", {}))
        return out

    def _compile(self, item):
        attrs = {}
        for name, attr in item.get("attributes", {}).items():
            if attr is None:
                continue
            merged = deep_merge(self.dict_attrs.get(name, {}), attr)
            merged.setdefault("type", None)
            attrs[name] = merged
        for name, attr in list(attrs.items()):
            if attr["type"] == "timestamp_t" and name + "_dt" not in attrs:
                attrs[name + "_dt"] = {"type": "datetime_t", "requirement": "optional",
                                       "profile": "datetime", "is_array": attr.get("is_array", False)}
        item["attributes"] = attrs
        return item

    def _class_enums(self, c):
        a = c["attributes"]
        caption = c.get("caption", c["name"])
        a["class_uid"] = dict(a["class_uid"], enum={str(c["class_uid"]): {"caption": caption}})
        a["category_uid"] = dict(a["category_uid"], enum={str(c["category_uid"]): {"caption": c["category_caption"]}})
        acts = a.get("activity_id", {}).get("enum", {})
        a["type_uid"] = dict(a["type_uid"], enum={
            str(c["class_uid"] * 100 + int(k)): {"caption": f"{caption}: {v.get('caption', k)}"}
            for k, v in acts.items()})

    def _observable_enum(self):
        enum = {}
        for tname, t in self.types.items():
            if "observable" in t:
                enum[str(t["observable"])] = {"caption": t.get("caption", tname)}
        for uid, caption in self._observable_objects.items():
            enum[str(uid)] = {"caption": caption}
        tid = self.objects["observable"]["attributes"]["type_id"]
        tid["enum"] = deep_merge(enum, tid.get("enum", {}))


def visible(attrs, profiles):
    return {n: a for n, a in attrs.items() if a.get("profile") is None or a["profile"] in profiles}


def type_name(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


class Checker:
    def __init__(self, schema, warn_recommended):
        self.s = schema
        self.warn_recommended = warn_recommended

    def check_event(self, ev):
        """Returns (errors, warnings), each a list of (path, message)."""
        self.errors, self.warnings = [], []
        if not isinstance(ev, dict):
            self.errors.append(("(line)", f"expected a JSON object, got {type_name(ev)}"))
            return self.errors, self.warnings
        cu = ev.get("class_uid")
        if cu is None:
            self.errors.append(("class_uid", "required attribute missing; cannot resolve the class"))
            return self.errors, self.warnings
        if isinstance(cu, bool) or not isinstance(cu, int):
            self.errors.append(("class_uid", f"expected integer_t, got {type_name(cu)}"))
            return self.errors, self.warnings
        cls = self.s.classes_by_uid.get(cu)
        if cls is None:
            self.errors.append(("class_uid", f"no class has uid {cu} in OCSF {self.s.version}"))
            return self.errors, self.warnings
        profiles = self._profiles(ev)
        self._check_item(ev, cls, "", profiles, is_class=True)
        self._check_class_rules(ev, cls)
        self._check_observables(ev, cls, profiles)
        return self.errors, self.warnings

    def _err(self, path, msg):
        self.errors.append((path, msg))

    def _warn(self, path, msg):
        self.warnings.append((path, msg))

    def _profiles(self, ev):
        md = ev.get("metadata")
        if not isinstance(md, dict) or not isinstance(md.get("profiles"), list):
            return set()
        out = set()
        for i, p in enumerate(md["profiles"]):
            if isinstance(p, str):
                if p not in self.s.profiles:
                    self._err(f"metadata.profiles[{i}]", f"unknown profile {p!r}; {self.s.version} defines "
                              + ", ".join(sorted(self.s.profiles)))
                out.add(p)
        return out

    def _check_item(self, obj, schema_item, path, profiles, is_class=False):
        all_attrs = schema_item["attributes"]
        attrs = visible(all_attrs, profiles)
        what = f"class {schema_item['name']}" if is_class else f"object {schema_item['name']}"
        for name, a in attrs.items():
            p = f"{path}.{name}" if path else name
            v = obj.get(name)
            if v is None:
                req = a.get("requirement")
                if req == "required":
                    self._err(p, f"required attribute missing ({what})")
                elif req == "recommended" and self.warn_recommended:
                    self._warn(p, f"recommended attribute missing ({what})")
                continue
            if "@deprecated" in a:
                self._warn(p, "deprecated: " + str(a["@deprecated"].get("message", "")))
            if a.get("is_array"):
                if not isinstance(v, list):
                    self._err(p, f"expected an array of {a['type']}, got {type_name(v)}")
                    continue
                for i, el in enumerate(v):
                    self._check_value(el, a, name, f"{p}[{i}]", profiles)
                    self._check_enum(obj, el, a, name, f"{p}[{i}]", path)
            else:
                if self._check_value(v, a, name, p, profiles):
                    self._check_enum(obj, v, a, name, p, path)
        if all_attrs:  # an object with no attributes (`object`) is free-form
            for key in obj:
                if key in attrs:
                    continue
                p = f"{path}.{key}" if path else key
                if key in all_attrs:
                    prof = all_attrs[key]["profile"]
                    self._err(p, f"attribute of the {prof!r} profile, which metadata.profiles does not list")
                else:
                    self._err(p, f"unknown attribute; {what} does not define {key!r}")
        for kind, keys in (schema_item.get("constraints") or {}).items():
            present = [k for k in keys if obj.get(k) is not None]
            where = path or "(event)"
            if kind == "at_least_one" and not present:
                self._err(where, f"constraint at_least_one of {what} failed: none of {', '.join(keys)}")
            elif kind == "just_one" and len(present) != 1:
                self._err(where, f"constraint just_one of {what} failed: {len(present)} of {', '.join(keys)}")

    def _check_value(self, v, a, name, p, profiles):
        """Type check one value (an array element or a scalar). True when the type is right."""
        t = a["type"]
        if v is None:
            self._err(p, "null inside an array")
            return False
        if t == "object" or (t in self.s.objects and not self.s.objects[t]["attributes"]):
            if not isinstance(v, dict):
                self._err(p, f"expected an object, got {type_name(v)}")
                return False
            return True
        if t in self.s.objects:
            if not isinstance(v, dict):
                self._err(p, f"expected object {t}, got {type_name(v)}")
                return False
            self._check_item(v, self.s.objects[t], p, profiles)
            return True
        if t not in self.s.types:
            self._err(p, f"schema has no type {t!r} for {name!r}")
            return False
        return self._check_primitive(v, t, p)

    def _check_primitive(self, v, t, p):
        chain, cur = [], t
        while cur:
            chain.append(cur)
            cur = self.s.types[cur].get("type")
        base = chain[-1]
        ok = {
            "string_t": isinstance(v, str),
            "integer_t": isinstance(v, int) and not isinstance(v, bool) and INT32[0] <= v <= INT32[1],
            "long_t": isinstance(v, int) and not isinstance(v, bool) and INT64[0] <= v <= INT64[1],
            "float_t": isinstance(v, (int, float)) and not isinstance(v, bool),
            "boolean_t": isinstance(v, bool),
            "json_t": True,
        }.get(base, False)
        if not ok:
            extra = f" ({base})" if base != t else ""
            if base in ("integer_t", "long_t") and isinstance(v, int) and not isinstance(v, bool):
                self._err(p, f"{v} is out of range for {t}{extra}")
            else:
                self._err(p, f"expected {t}{extra}, got {type_name(v)} {json.dumps(v)[:60]}")
            return False
        for tn in chain:
            td = self.s.types[tn]
            if "max_len" in td and isinstance(v, str) and len(v) > td["max_len"]:
                self._err(p, f"longer than {tn}'s max_len {td['max_len']} ({len(v)})")
                return False
            if "range" in td and not (td["range"][0] <= v <= td["range"][1]):
                self._err(p, f"{v} is outside {tn}'s range {td['range'][0]}..{td['range'][1]}")
                return False
            if "values" in td and v not in td["values"]:
                self._err(p, f"{json.dumps(v)} is not one of {tn}'s values")
                return False
        if t == "ip_t":
            try:
                ipaddress.ip_address(v)
            except ValueError:
                self._err(p, f"not an IPv4 or IPv6 address: {v!r}")
                return False
        elif t == "url_t":
            u = urllib.parse.urlsplit(v)
            if not u.scheme or not (u.netloc or u.path):
                self._err(p, f"not a URL: {v!r}")
                return False
        elif "regex" in self.s.types[t] and isinstance(v, str):
            if not re.fullmatch(self.s.types[t]["regex"], v):
                self._err(p, f"{v!r} does not match {t}")
                return False
        if t == "timestamp_t" and not (MS_PLAUSIBLE[0] <= abs(v) <= MS_PLAUSIBLE[1]):
            self._warn(p, f"{v} does not look like milliseconds since the epoch (timestamp_t)")
        return True

    def _check_enum(self, obj, v, a, name, p, parent):
        enum = a.get("enum")
        if not enum or name == "type_uid":  # type_uid is checked against class_uid and activity_id
            return
        key = str(v).lower() if isinstance(v, bool) else str(v)
        if key not in enum and name == "category_uid" and not parent:
            return  # reported against the class by _check_class_rules
        if key not in enum:
            shown = ", ".join(f"{k} {e.get('caption', '')}".strip() for k, e in sorted(
                enum.items(), key=lambda kv: (not kv[0].lstrip("-").isdigit(), int(kv[0]) if kv[0].lstrip("-").isdigit() else 0, kv[0])))
            self._err(p, f"{json.dumps(v)} is not a value of this enum ({shown})")
            return
        self._check_sibling(obj, v, a, enum[key].get("caption"), parent)

    def _check_sibling(self, obj, v, a, caption, parent):
        sib = a.get("sibling")
        if not sib or not isinstance(obj.get(sib), str) or caption is None:
            return
        sp = f"{parent}.{sib}" if parent else sib
        got = obj[sib]
        if v == 99:
            if got == caption:
                self._warn(sp, f"{got!r} with 99 (Other): the sibling should carry the source's own value")
        elif got != caption:
            self._warn(sp, f"{got!r} does not match the enum caption {caption!r}")

    def _check_class_rules(self, ev, cls):
        cat = ev.get("category_uid")
        if isinstance(cat, int) and not isinstance(cat, bool) and cat != cls["category_uid"]:
            self._err("category_uid", f"{cat} does not match class {cls['name']} "
                      f"(category {cls['category_uid']})")
        act, tu = ev.get("activity_id"), ev.get("type_uid")
        ints = all(isinstance(x, int) and not isinstance(x, bool) for x in (act, tu))
        if ints and tu != cls["class_uid"] * 100 + act:
            self._err("type_uid", f"{tu} is not class_uid * 100 + activity_id "
                      f"= {cls['class_uid']} * 100 + {act} = {cls['class_uid'] * 100 + act}")
        elif ints:
            cap = cls["attributes"]["type_uid"]["enum"].get(str(tu), {}).get("caption")
            if cap is not None:
                self._check_sibling(ev, tu, cls["attributes"]["type_uid"], cap, "")
        md = ev.get("metadata")
        if isinstance(md, dict) and isinstance(md.get("version"), str):
            ver = md["version"]
            if not re.fullmatch(r"\d+\.\d+\.\d+(-dev|-rc\.\d+)?", ver):
                self._err("metadata.version", f"{ver!r} is not a schema version")
            elif ver != self.s.version:
                self._warn("metadata.version", f"{ver!r}, but this is the {self.s.version} schema")

    def _check_observables(self, ev, cls, profiles):
        obs = ev.get("observables")
        if not isinstance(obs, list):
            return
        for i, o in enumerate(obs):
            if not isinstance(o, dict) or not isinstance(o.get("name"), str):
                continue
            item, ok = cls, True
            for part in o["name"].split("."):
                a = visible(item["attributes"], profiles).get(part) if item else None
                if a is None:
                    ok = False
                    break
                item = self.s.objects.get(a["type"])
            if not ok:
                self._err(f"observables[{i}].name", f"{o['name']!r} names no attribute of class {cls['name']}")


def read_lines(name):
    if name == "-":
        return sys.stdin.read().splitlines(), "<stdin>"
    with open(name, encoding="utf-8") as f:
        return f.read().splitlines(), name


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check JSON Lines as OCSF events against the schema source.")
    ap.add_argument("--strict", action="store_true", help="warnings fail the line too")
    ap.add_argument("--recommended", action="store_true", help="warn when a recommended attribute is missing")
    ap.add_argument("schema_dir")
    ap.add_argument("files", nargs="+", metavar="FILE")
    args = ap.parse_args(argv)
    try:
        schema = Schema(args.schema_dir)
    except (OSError, ValueError, KeyError) as e:
        print(f"ocsf: cannot read the schema at {args.schema_dir}: {e}", file=sys.stderr)
        return 2
    checker = Checker(schema, args.recommended)
    passed = failed = 0
    for fname in args.files:
        try:
            lines, shown = read_lines(fname)
        except OSError as e:
            print(f"{fname}: cannot read: {e.strerror}")
            failed += 1
            continue
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                ev = json.loads(line)
            except ValueError as e:
                print(f"{shown}:{n}: (line): invalid JSON: {e}")
                failed += 1
                continue
            errors, warnings = checker.check_event(ev)
            for path, msg in errors:
                print(f"{shown}:{n}: {path}: {msg}")
            for path, msg in warnings:
                print(f"{shown}:{n}: {path}: warning: {msg}")
            if errors or (args.strict and warnings):
                failed += 1
            else:
                passed += 1
    print(f"ocsf: {passed} passed, {failed} failed")
    if passed + failed == 0:
        print("ocsf: no events read", file=sys.stderr)
        return 1
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
