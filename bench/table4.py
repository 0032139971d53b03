"""Prints bench/table4.sh's table: per calibration, learnable parameters
per block, perplexity (and its ratio to the QANN's) and zero-shot Avg. Acc.

usage: table4.py OUT T LEARN...
"""
import csv
import json
import os
import sys

out, t, learns = sys.argv[1], sys.argv[2], sys.argv[3:]


def load(name, kind):
    path = os.path.join(out, f"{name}.{kind}.json")
    return json.load(open(path)) if os.path.exists(path) else None


def avg_acc(z):
    """spike-run zeroshot's Avg. Acc. (acc_norm; acc for WinoGrande), %."""
    return None if not z else 100 * z["avg_acc"]


def wall(name, kind):
    path = os.path.join(out, f"{name}.{kind}.log")
    if not os.path.exists(path):
        return ""
    for line in open(path):
        if line.startswith("wall_s "):
            return line.split()[1]
    return ""


qann = load("qann", "eval")
print("| model | learnt | params / block | PPL | / QANN | Avg. Acc. | calibration s |")
print("|---|---|---|---|---|---|---|")
for base in ["fp", "qann"]:
    e = load(base, "eval")
    if e:
        a = avg_acc(load(base, "zeroshot"))
        print(f"| {base.upper()} | | | {e['perplexity']:.2f} | "
              f"{e['perplexity'] / qann['perplexity']:.3f} | "
              f"{'' if a is None else f'{a:.2f}'} | |")
for learn in learns:
    name = f"is{t}-{learn.replace(',', '-')}"
    cal, e = load(name, "calib"), load(name, "eval")
    if not cal or not e:
        continue
    rows = list(csv.DictReader(open(os.path.join(out, f"{name}.calib.layers.csv"))))
    blocks = len(rows)
    params = sum(len(s["threshold"]) + len(s["v0"]) for s in cal["sites"].values())
    params += sum(int(r["weight_codes"]) for r in rows)
    a = avg_acc(load(name, "zeroshot"))
    print(f"| SNN T = {t} | {' + '.join(cal.get('learn', ['thresholds']))} | "
          f"{params / blocks:,.0f} | {e['perplexity']:.2f} | "
          f"{e['perplexity'] / qann['perplexity']:.3f} | "
          f"{'' if a is None else f'{a:.2f}'} | {wall(name, 'calib')} |")
