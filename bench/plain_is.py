"""Prints bench/plain_is.sh's table: per T and attempt, the held-out valid
perplexity (the selection number), the test perplexity and its ratio to the
QANN's, and the calibration's wall time.

usage: plain_is.py OUT "TS" "ATTEMPTS"
"""
import json
import os
import sys

out, ts, attempts = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()


def ppl(name, kind):
    path = os.path.join(out, f"{name}.{kind}.json")
    return json.load(open(path))["perplexity"] if os.path.exists(path) else None


def wall(name):
    path = os.path.join(out, f"{name}.calib.log")
    if os.path.exists(path):
        for line in open(path):
            if line.startswith("wall_s "):
                return line.split()[1]
    return ""


def end_to_end(name):
    """The end-to-end pass's KL before -> after, if the attempt ran one."""
    path = os.path.join(out, f"{name}.calib.json")
    e = json.load(open(path)).get("end_to_end") if os.path.exists(path) else None
    return f"{e['kl_before']:.3f} -> {e['kl_after']:.3f}" if e else ""


def fmt(x):
    return "" if x is None else f"{x:.2f}"


qd, qt = ppl("qann", "dev"), ppl("qann", "test")
print("| model | attempt | valid-dev PPL | / QANN | test PPL | / QANN | end-to-end KL | calibration s |")
print("|---|---|---|---|---|---|---|---|")
print(f"| QANN | | {fmt(qd)} | 1.000 | {fmt(qt)} | 1.000 | | |")
for t in ts:
    for a in ["uncalibrated"] + attempts:
        name = f"is{t}" if a == "uncalibrated" else f"is{t}-{a}"
        d, e = ppl(name, "dev"), ppl(name, "test")
        if d is None and e is None:
            continue
        rd = "" if d is None or not qd else f"{d / qd:.3f}"
        re = "" if e is None or not qt else f"{e / qt:.3f}"
        print(f"| SNN T = {t} | {a} | {fmt(d)} | {rd} | {fmt(e)} | {re} | "
              f"{end_to_end(name)} | {wall(name)} |")
