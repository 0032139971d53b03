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
In YAML a plain scalar has no type of its own: where the format wants
text, `name: true` or `name: .nan` is the text "true" or ".nan", so such a
mutant (kind text-scalar) is a value mutant too, and so are a key added to
a map whose keys the user names (--open, kind open-map-key) and a YAML
truncation that still parses (a cut at a line end deletes the trailing
keys, like delete-key). Then the follow-up command
(which runs the file: exec, a simulation) must not crash, hang or fail
noisily either.
Exits non-zero on any crash, hang, partial output, noisy error,
disagreement or accepted structural mutant.

  mutation-campaign.py --format NAME --file VALID.json --count N --seed S
      --cmd 'spike-run validate {}' [--then 'spike-run exec --plan {} ...']
      [--out-file PATH] [--timeout SECONDS] [--batch K] [--then-may-refuse]

{} in the commands is the mutant's path (beside the original, so that
relative tensor files resolve). --out-file is an output the command writes
on success, which must not exist after a failure. A file ending in .yaml or
.yml is read and written as YAML (chip descriptions), with YAML's spellings
of NaN and Infinity.

--batch K hands K mutants to one run of --cmd ({} becomes all K paths), for
tools that check many files in one call (spike-run validate): it saves the
tool's start-up per mutant. A mutant's outcome is then read from the lines
that name it: "PATH: valid ..." on stdout is accepted, exactly one stderr
line naming it is an error. If the batch crashes or hangs, or a mutant's
lines are not exactly that, its mutants are run again one by one, so the
outcomes are those of single runs.
"""
import argparse
import copy
import json
import os
import random
import shlex
import subprocess
import sys

try:
    import yaml
except ImportError:  # only YAML formats need it
    yaml = None

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


def pointer(path):
    """The JSON pointer of a path."""
    return "".join("/" + str(p) for p in path)


def get_parent(doc, path):
    node = doc
    for p in path[:-1]:
        node = node[p]
    return node


class Syntax:
    """How a format is written: JSON, or YAML (a superset of JSON's flow
    style, so JSON-written values splice into it)."""

    def __init__(self, yaml_syntax, open_maps=()):
        self.yaml = yaml_syntax
        self.open_maps = set(open_maps)
        self.nan = ".nan" if yaml_syntax else "NaN"
        self.neg_inf = "-.inf" if yaml_syntax else "-Infinity"

    def load(self, text):
        return yaml.safe_load(text) if self.yaml else json.loads(text)

    def dump(self, doc):
        if self.yaml:
            return yaml.safe_dump(doc, sort_keys=False, width=1 << 20)
        return json.dumps(doc)

    def quoted(self, word):
        """How dump() writes the string `word`."""
        return self.dump({"k": word}).split(":", 1)[1].strip().strip("}")


def mutate(doc, text, rng, syntax):
    """One mutant: (kind, text)."""
    dumps = syntax.dump
    kinds = ["type-change", "number", "negative", "huge", "nan", "infinity",
             "deep-nesting", "unknown-key", "duplicate-key", "delete-key",
             "truncate", "empty-array", "zero"]
    kind = rng.choice(kinds)
    every = [p for p, _ in paths(doc) if p]
    if kind == "truncate":
        cut = text[: rng.randrange(1, max(2, len(text) - 1))]
        try:
            # A YAML cut at a line end still parses: it deletes the
            # trailing keys (or only a comment), a value mutant.
            syntax.load(cut)
            kind = "truncate-at-line"
        except Exception:
            pass
        return kind, cut
    d = copy.deepcopy(doc)
    if kind in ("unknown-key", "duplicate-key"):
        objects = [p for p, v in paths(d) if isinstance(v, dict) and v]
        path = rng.choice(objects)
        node = d
        for p in path:
            node = node[p]
        if kind == "unknown-key":
            node["spikec_unknown_field"] = 1
            if pointer(path) in syntax.open_maps:
                kind = "open-map-key"
            return kind, dumps(d)
        key = rng.choice(list(node.keys()))
        # json.dumps cannot write a duplicate: splice the text.
        marker = ("spikec_dup_marker: 0" if syntax.yaml else
                  "\"spikec_dup_marker\": 0")
        node["spikec_dup_marker"] = 0
        dup = json.dumps(key) + ": " + json.dumps(node[key], default=str)
        return kind, dumps(d).replace(marker, dup, 1)
    path = rng.choice(every)
    parent, key = get_parent(d, path), path[-1]
    value = parent[key]
    if kind == "delete-key":
        if isinstance(parent, dict):
            del parent[key]
            return kind, dumps(d)
        kind = "type-change"
    if kind == "type-change":
        # Not number for number: whether 7 may stand for 1.5 is the
        # schema's business (the value mutants cover it).
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        choices = [None, "text", [1], {"a": 1}, True] + ([] if numeric else [7])
        new = rng.choice([c for c in choices if type(c) is not type(value)])
        parent[key] = new
        if syntax.yaml and isinstance(value, str) and new in (True, 7):
            kind = "text-scalar"
        return kind, dumps(d)
    if kind == "deep-nesting":
        parent[key] = "SPIKEC_DEEP_MARKER"
        return kind, dumps(d).replace(syntax.quoted("SPIKEC_DEEP_MARKER"),
                                      "[" * 5000 + "]" * 5000, 1)
    if kind in ("nan", "infinity"):
        parent[key] = "SPIKEC_SPECIAL_MARKER"
        word = syntax.nan if kind == "nan" else syntax.neg_inf
        if syntax.yaml and isinstance(value, str):
            kind = "text-scalar"
        return kind, dumps(d).replace(syntax.quoted("SPIKEC_SPECIAL_MARKER"), word, 1)
    if kind == "empty-array":
        parent[key] = []
        return kind, dumps(d)
    numbers = [p for p, v in paths(d)
               if p and isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not numbers:
        return "type-change", dumps(d)
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
    return kind, dumps(d)


def expand(cmd, paths):
    """argv of `cmd` with the word {} replaced by `paths`."""
    argv = []
    for a in shlex.split(cmd):
        if a == "{}":
            argv += paths
        else:
            argv.append(a.replace("{}", paths[0]))
    return argv


def classify(p):
    """Outcome of one finished single run."""
    if p.returncode < 0 or p.returncode >= 128:
        return "crash", p.stderr[-300:]
    if p.returncode == 0:
        return "accepted", ""
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    if len(lines) == 1:
        return "error", lines[0]
    return "noisy", p.stderr[-300:]


def run(cmd, paths, timeout):
    """[(outcome, detail)] for each path. One run with all of them; the
    mutants whose outcome it does not settle are run alone."""
    argv = expand(cmd, paths)
    try:
        p = subprocess.run(argv, capture_output=True, timeout=timeout,
                           text=True, errors="replace")
    except subprocess.TimeoutExpired:
        p = None
    if len(paths) == 1:
        return [("hang", "") if p is None else classify(p)]
    results = [None] * len(paths)
    if p is not None and 0 <= p.returncode < 128:
        out = p.stdout.splitlines()
        err = [l for l in p.stderr.splitlines() if l.strip()]
        for i, path in enumerate(paths):
            valid = [l for l in out if l.startswith(path + ": valid ")]
            named = [l for l in err if path in l]
            if valid and not named:
                results[i] = ("accepted", "")
            elif len(named) == 1 and not valid:
                results[i] = ("error", named[0])
    for i, path in enumerate(paths):
        if results[i] is None:
            results[i] = run(cmd, [path], timeout)[0]
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--format", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cmd", required=True)
    ap.add_argument("--then", default="")
    ap.add_argument("--then-may-refuse", action="store_true",
                    help="the follow-up may refuse a valid file (a chip "
                    "too small for the model): only its crashes and hangs "
                    "count")
    ap.add_argument("--out-file", default="")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--open", action="append", default=[],
                    help="JSON pointer of a map whose keys the user names "
                    "(an added key there is a value mutant)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the mutants that failed the rules")
    args = ap.parse_args()
    if args.batch > 1 and args.out_file:
        ap.error("--batch needs a command without an output file")

    text = open(args.file).read()
    syntax = Syntax(args.file.endswith((".yaml", ".yml")), args.open)
    doc = syntax.load(text)
    rng = random.Random(args.seed)
    folder = os.path.dirname(os.path.abspath(args.file))
    base = os.path.basename(args.file)
    counts = {k: 0 for k in ("error", "accepted", "noisy", "crash", "hang",
                             "partial", "disagree")}
    bad = []
    done = 0
    while done < args.count:
        batch = []
        for slot in range(min(args.batch, args.count - done)):
            # Fixed-width names: no mutant's path is part of another's.
            path = os.path.join(folder, "mutant-%04d-%s" % (slot, base))
            kind, body = mutate(doc, text, rng, syntax)
            with open(path, "w") as f:
                f.write(body)
            batch.append((done + slot, kind, path))
        if args.out_file and os.path.exists(args.out_file):
            os.remove(args.out_file)
        outcomes = run(args.cmd, [p for _, _, p in batch], args.timeout)
        for (i, kind, path), (outcome, detail) in zip(batch, outcomes):
            if (outcome == "error" and args.out_file and
                    os.path.exists(args.out_file)):
                outcome = "partial"
            if outcome == "accepted" and args.then:
                follow, detail = run(args.then, [path], args.timeout)[0]
                # Any refusal by the follow-up (which may also print
                # progress lines) is a rule the first command missed.
                if follow in ("crash", "hang"):
                    outcome = follow
                elif follow == "noisy" and args.then_may_refuse:
                    outcome = "noisy"
                elif follow in ("error", "noisy") and not args.then_may_refuse:
                    outcome = "disagree"
            counts[outcome] += 1
            wrong = outcome in ("crash", "hang", "partial", "noisy",
                                "disagree") or (
                outcome == "accepted" and kind in STRUCTURAL)
            if wrong:
                bad.append((i, kind, outcome,
                            detail.strip().splitlines()[-1:]))
                if args.keep:
                    os.rename(path, os.path.join(
                        folder, "kept-%d-%s-%s" % (i, kind, base)))
            if os.path.exists(path):
                os.remove(path)
        done += len(batch)
    summary = " ".join("%s %d" % (k, v) for k, v in counts.items())
    print("%s: %d mutants: %s" % (args.format, args.count, summary))
    for i, kind, outcome, detail in bad[:10]:
        print("  mutant %d (%s): %s %s" % (i, kind, outcome, " ".join(detail)))
    print("%s: %s" % (args.format, "ok" if not bad else "%d wrong" % len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
