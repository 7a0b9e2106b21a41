#!/usr/bin/env python3
"""The recipes in deploy/ are valid and agree with trailhound: the Kubernetes files are YAML
Jobs (the shards an Indexed Job whose TRAILHOUND_SHARD_COUNT equals its completions, each pod
writing its own partial), the AWS Batch files are JSON job definitions (the shard count set,
the partial named by the array index), and the Slurm script passes --shard auto. Each
trailhound command line in them parses: its flags are in `trailhound __flags`. The recipes
themselves are not run here (no cluster); tests/slurm runs the Slurm one.

Usage: deploy_check.py TRAILHOUND DEPLOY_DIR"""
import json
import os
import re
import shlex
import subprocess
import sys

try:
    import yaml
except ImportError:
    print("SKIP: python3-yaml is not installed (scripts/setup installs it)")
    sys.exit(77)

th, deploy = sys.argv[1], sys.argv[2]
listing = subprocess.run([th, "__flags"], capture_output=True, text=True, check=True).stdout
flags = {line.split("\t")[0] for line in listing.splitlines() if line} | {"config"}  # --config: global
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def check_command_line(words, where):
    """A trailhound command line: known flags, a partial per shard or a merge."""
    if "trailhound" not in words[0]:
        return
    for w in words:
        if w.startswith("--"):
            name = w[2:].split("=")[0]
            check(name in flags, f"{where}: unknown flag {w}")
    if "merge" not in words:
        check("--shard" in words and words[words.index("--shard") + 1] == "auto",
              f"{where}: a shard must pass --shard auto")
        check("--partial-out" in words, f"{where}: a shard must pass --partial-out")


def shell_words(text):
    # The trailhound command of a `sh -c` line, from `trailhound` to the end of its statement.
    m = re.search(r"(?:exec )?(trailhound [^;&|]*)", text)
    return shlex.split(m.group(1).replace('"', "")) if m else []


k8s = os.path.join(deploy, "kubernetes")
jobs = {}
for name in sorted(os.listdir(k8s)):
    with open(os.path.join(k8s, name)) as f:
        for doc in yaml.safe_load_all(f):
            check(doc.get("apiVersion") == "batch/v1" and doc.get("kind") == "Job",
                  f"{name}: not a batch/v1 Job")
            jobs[doc["metadata"]["name"]] = doc
shards = jobs.get("trailhound-shards")
check(shards is not None, "kubernetes: no trailhound-shards Job")
check("trailhound-merge" in jobs, "kubernetes: no trailhound-merge Job")
if shards:
    spec = shards["spec"]
    check(spec.get("completionMode") == "Indexed", "trailhound-shards: not an Indexed Job")
    c = spec["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in c.get("env", [])}
    check(env.get("TRAILHOUND_SHARD_COUNT", {}).get("value") == str(spec.get("completions")),
          "trailhound-shards: TRAILHOUND_SHARD_COUNT is not the number of completions")
    check("$(JOB_COMPLETION_INDEX)" in " ".join(c["command"]),
          "trailhound-shards: the partial is not named by the index")
    check_command_line(c["command"], "trailhound-shards")
if "trailhound-merge" in jobs:
    c = jobs["trailhound-merge"]["spec"]["template"]["spec"]["containers"][0]
    check_command_line(shell_words(" ".join(c["command"])), "trailhound-merge")

batch = os.path.join(deploy, "aws-batch")
definitions = {}
for name in sorted(os.listdir(batch)):
    if not name.endswith(".json"):
        continue
    with open(os.path.join(batch, name)) as f:
        try:
            d = json.load(f)
        except json.JSONDecodeError as e:
            failures.append(f"{name}: not JSON: {e}")
            continue
    check(d.get("type") == "container" and "containerProperties" in d,
          f"{name}: not a container job definition")
    definitions[d.get("jobDefinitionName")] = d
    words = shell_words(" ".join(d["containerProperties"]["command"]))
    check(bool(words), f"{name}: no trailhound command")
    check_command_line(words, name)
shard_def = definitions.get("trailhound-shard")
check(shard_def is not None, "aws-batch: no trailhound-shard definition")
check("trailhound-merge" in definitions, "aws-batch: no trailhound-merge definition")
if shard_def:
    env = {e["name"]: e["value"] for e in shard_def["containerProperties"]["environment"]}
    check(env.get("TRAILHOUND_SHARD_COUNT", "").isdigit(), "trailhound-shard: no TRAILHOUND_SHARD_COUNT")
    check("$AWS_BATCH_JOB_ARRAY_INDEX" in " ".join(shard_def["containerProperties"]["command"]),
          "trailhound-shard: the partial is not named by the array index")

with open(os.path.join(deploy, "slurm", "trailhound-shard.sbatch")) as f:
    text = f.read()
check("--shard auto" in text and "--partial-out" in text and "SLURM_ARRAY_TASK_ID" in text,
      "slurm: the batch script does not run a shard")

for f in failures:
    print("FAIL", f)
print(f"deploy: {len(jobs)} Kubernetes Jobs, {len(definitions)} Batch definitions, "
      f"{'ok' if not failures else 'FAILED'}")
sys.exit(1 if failures else 0)
