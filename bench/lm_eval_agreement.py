"""Compares lm-eval's per-sample results with spike-run zeroshot's, item for
item (bench/lm_eval_agreement.sh): acc, acc_norm, the log-likelihoods, and
near-ties (two choices within 1e-5 nats, where either side's pick is a coin
toss), counted separately. It also counts the items whose acc_norm would
differ had the lengths been UTF-8 bytes (spike-run's rule before this
bench) instead of the harness's characters."""

import glob
import json
import os
import sys

TASKS = ["piqa", "arc_easy", "arc_challenge", "hellaswag", "winogrande"]
NEAR_TIE = 1e-5


def lm_eval_samples(folder, task):
    files = glob.glob(os.path.join(folder, "**", f"samples_spikec_{task}_*.jsonl"),
                      recursive=True)
    if len(files) != 1:
        raise SystemExit(f"{folder}: expected one samples file of {task}, "
                         f"found {len(files)}")
    with open(files[0], encoding="utf-8") as f:
        rows = [json.loads(l) for l in f if l.strip()]
    return sorted(rows, key=lambda r: r["doc_id"])


def compare(out, plan):
    name = os.path.basename(plan)[:-len(".plan.json")]
    with open(os.path.join(out, f"{name}.spike-run.jsonl")) as f:
        ours = [json.loads(l) for l in f if l.strip()]
    print(f"\n{name} ({plan})")
    print(f"{'task':14} {'n':>4} {'acc ours/lm-eval':>18} {'acc_norm ours/lm-eval':>23} "
          f"{'items differ':>12} {'near-ties':>9} {'max |d ll|':>10} "
          f"{'bytes rule':>10}")
    total_differ = 0
    for task in TASKS:
        mine = [r for r in ours if r["task"] == task]
        theirs = lm_eval_samples(os.path.join(out, f"{name}.lm-eval"), task)
        if len(mine) != len(theirs):
            raise SystemExit(f"{task}: {len(mine)} items against {len(theirs)}")
        differ = ties = 0
        acc = [0, 0]
        norm = [0, 0]
        worst = 0.0
        by_bytes = 0
        for m, t in zip(mine, theirs):
            lls = [float(r[0]) for r in t["filtered_resps"]]
            worst = max(worst, max(abs(a - b) for a, b in zip(lls, m["logliks"])))
            s = sorted(m["logliks"], reverse=True)
            tie = len(s) > 1 and s[0] - s[1] < NEAR_TIE
            ties += tie
            a_m, a_t = float(m["pred"] == m["gold"]), float(t["acc"])
            acc[0] += a_m
            acc[1] += a_t
            same = a_m == a_t
            if task != "winogrande":
                n_m, n_t = float(m["pred_norm"] == m["gold"]), float(t["acc_norm"])
                norm[0] += n_m
                norm[1] += n_t
                same = same and n_m == n_t
                # The old rule: UTF-8 bytes of the choice after its " ".
                args = t["arguments"]
                args = args.values() if isinstance(args, dict) else args
                conts = [a["arg_1"] if isinstance(a, dict) else a[1]
                         for a in args]
                lengths = [max(1, len(c.encode()) - c.startswith(" "))
                           for c in conts]
                scores = [ll / n for ll, n in zip(m["logliks"], lengths)]
                old = scores.index(max(scores))
                by_bytes += float(old == m["gold"]) != n_t
            differ += not same
        total_differ += differ
        n = len(mine)
        norm_text = (f"{norm[0] / n:.4f}/{norm[1] / n:.4f}"
                     if task != "winogrande" else "-")
        print(f"{task:14} {n:4d} {acc[0] / n:.4f}/{acc[1] / n:.4f}    "
              f"{norm_text:>23} {differ:12d} {ties:9d} {worst:10.2e} "
              f"{by_bytes:10d}")
    return total_differ


def main():
    out, plans = sys.argv[1], sys.argv[2:]
    differ = sum(compare(out, p) for p in plans)
    print(f"\nitems whose acc or acc_norm differ: {differ}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
