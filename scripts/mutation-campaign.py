#!/usr/bin/env python3
"""Mutation campaign over spikec's exchange files (issue #21).

Makes mutants of valid files (type changes, out-of-range numbers, NaN and
Infinity, negative counts, huge values, deep nesting, unknown keys,
duplicate keys, deleted keys, truncation), runs a tool on each, and
classifies the outcome:

  error      non-zero exit with exactly one stderr line (an error or a
             failed check, naming what is wrong)
  accepted   exit 0
  noisy      non-zero exit, but not one error line
  crash      killed by a signal (exit >= 128 or negative)
  hang       still running after the time limit
  partial    an output file was left behind after a failure
  disagree   the first command accepted it, the follow-up (which runs it)
             refused it: the validator missed a rule the runtime has

Structural mutants (unknown or duplicate keys, deep nesting, NaN, bad
types, truncation) must give an error. A value mutant (another number, a
deleted key, an empty array) may be accepted when the format allows it (an
optional key, a value in range): the stated rule for a harmless acceptance.
Then the follow-up command (which runs the file: exec, a simulation) must
not crash, hang or fail noisily either.
Exits non-zero on any crash, hang, partial output, noisy error,
disagreement or accepted structural mutant.

  mutation-campaign.py --format NAME --file VALID.json --count N --seed S
      --cmd 'spike-run validate {}' [--then 'spike-run exec --plan {} ...']
      [--out-file PATH] [--timeout SECONDS] [--workdir DIR]

{} in the commands is the mutant's path (beside the original, so that
relative tensor files resolve). --out-file is an output the command writes
on success, which must not exist after a failure.
"""
import argparse
import copy
import json
import os
import random
import shlex
import subprocess
import sys

STRUCTURAL = {"unknown-key", "duplicate-key", "deep-nesting", "nan",
              "infinity", "type-change", "truncate"}


def paths(doc, prefix=()):
    """Every (path, value) of a JSON document."""
    yield prefix, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, prefix + (i,))


def get_parent(doc, path):
    node = doc
    for p in path[:-1]:
        node = node[p]
    return node


def mutate(doc, text, rng):
    """One mutant: (kind, text)."""
    kinds = ["type-change", "number", "negative", "huge", "nan", "infinity",
             "deep-nesting", "unknown-key", "duplicate-key", "delete-key",
             "truncate", "empty-array", "zero"]
    kind = rng.choice(kinds)
    every = [p for p, _ in paths(doc) if p]
    if kind == "truncate":
        return kind, text[: rng.randrange(1, max(2, len(text) - 1))]
    d = copy.deepcopy(doc)
    if kind in ("unknown-key", "duplicate-key"):
        objects = [p for p, v in paths(d) if isinstance(v, dict) and v]
        path = rng.choice(objects)
        node = d
        for p in path:
            node = node[p]
        if kind == "unknown-key":
            node["spikec_unknown_field"] = 1
            return kind, json.dumps(d)
        key = rng.choice(list(node.keys()))
        # json.dumps cannot write a duplicate: splice the text.
        marker = "\"spikec_dup_marker\": 0"
        node["spikec_dup_marker"] = 0
        dup = json.dumps(key) + ": " + json.dumps(node[key])
        return kind, json.dumps(d).replace(marker, dup, 1)
    path = rng.choice(every)
    parent, key = get_parent(d, path), path[-1]
    value = parent[key]
    if kind == "delete-key":
        if isinstance(parent, dict):
            del parent[key]
            return kind, json.dumps(d)
        kind = "type-change"
    if kind == "type-change":
        # Not number for number: whether 7 may stand for 1.5 is the
        # schema's business (the value mutants cover it).
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        choices = [None, "text", [1], {"a": 1}, True] + ([] if numeric else [7])
        new = rng.choice([c for c in choices if type(c) is not type(value)])
        parent[key] = new
        return kind, json.dumps(d)
    if kind == "deep-nesting":
        parent[key] = "DEEP"
        return kind, json.dumps(d).replace("\"DEEP\"", "[" * 5000 + "]" * 5000)
    if kind in ("nan", "infinity"):
        parent[key] = "SPECIAL"
        word = "NaN" if kind == "nan" else "-Infinity"
        return kind, json.dumps(d).replace("\"SPECIAL\"", word)
    if kind == "empty-array":
        parent[key] = []
        return kind, json.dumps(d)
    numbers = [p for p, v in paths(d)
               if p and isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not numbers:
        return "type-change", json.dumps(d)
    path = rng.choice(numbers)
    parent, key = get_parent(d, path), path[-1]
    value = parent[key]
    if kind == "number":
        parent[key] = value + rng.choice([-2, -1, 1, 2, 3, 10])
    elif kind == "negative":
        parent[key] = -abs(value) - 1
    elif kind == "zero":
        parent[key] = 0
    else:  # huge
        parent[key] = rng.choice([2**31, 2**63 - 1, 2**64 + 5, 1e300, 10**6])
    return kind, json.dumps(d)


def run(cmd, path, timeout):
    argv = [a.replace("{}", path) for a in shlex.split(cmd)]
    try:
        p = subprocess.run(argv, capture_output=True, timeout=timeout,
                           text=True, errors="replace")
    except subprocess.TimeoutExpired:
        return "hang", ""
    if p.returncode < 0 or p.returncode >= 128:
        return "crash", p.stderr[-300:]
    if p.returncode == 0:
        return "accepted", ""
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    if len(lines) == 1:
        return "error", lines[0]
    return "noisy", p.stderr[-300:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--format", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cmd", required=True)
    ap.add_argument("--then", default="")
    ap.add_argument("--out-file", default="")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--keep", action="store_true",
                    help="keep the mutants that failed the rules")
    args = ap.parse_args()

    text = open(args.file).read()
    doc = json.loads(text)
    rng = random.Random(args.seed)
    mutant = os.path.join(os.path.dirname(os.path.abspath(args.file)),
                          "mutant-" + os.path.basename(args.file))
    counts = {k: 0 for k in ("error", "accepted", "noisy", "crash", "hang",
                             "partial", "disagree")}
    bad = []
    for i in range(args.count):
        kind, body = mutate(doc, text, rng)
        with open(mutant, "w") as f:
            f.write(body)
        if args.out_file and os.path.exists(args.out_file):
            os.remove(args.out_file)
        outcome, detail = run(args.cmd, mutant, args.timeout)
        if outcome == "error" and args.out_file and os.path.exists(args.out_file):
            outcome = "partial"
        if outcome == "accepted" and args.then:
            follow, detail = run(args.then, mutant, args.timeout)
            # Any refusal by the follow-up (which may also print progress
            # lines) is a rule the first command missed.
            if follow in ("crash", "hang"):
                outcome = follow
            elif follow in ("error", "noisy"):
                outcome = "disagree"
        counts[outcome] += 1
        wrong = outcome in ("crash", "hang", "partial", "noisy",
                            "disagree") or (
            outcome == "accepted" and kind in STRUCTURAL)
        if wrong:
            bad.append((i, kind, outcome, detail.strip().splitlines()[-1:]))
            if args.keep:
                os.rename(mutant, mutant + ".%d.%s" % (i, kind))
    if os.path.exists(mutant):
        os.remove(mutant)
    summary = " ".join("%s %d" % (k, v) for k, v in counts.items())
    print("%s: %d mutants: %s" % (args.format, args.count, summary))
    for i, kind, outcome, detail in bad[:10]:
        print("  mutant %d (%s): %s %s" % (i, kind, outcome, " ".join(detail)))
    print("%s: %s" % (args.format, "ok" if not bad else "%d wrong" % len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
