#!/usr/bin/env python3
"""Issue #16's table from the eval JSONs of bench/table2.sh (stages qann,
snn, bi, codes, and optionally calib, bical, sgcal): per spike code and T,
the perplexity ratio to the prefixed QANN at the IS and IF levels, spikes
and events per neuron per step, silent neuron-steps, spikes per token, the
share of binary sub-steps (out of T x L per neuron) that carry a spike,
and how often the signed code's per-step cap binds; with the "if" stage's
prefix-free QANN (qann-np), also the IS perplexity over that QANN's; then
the same statistics per site class.

    python3 bench/codes_table.py OUT [T ...]
"""
import json
import os
import re
import sys

out = sys.argv[1]
steps = [int(t) for t in sys.argv[2:]] or [2, 4, 8]
CODES = [  # (label, IS plan prefix, IF plan prefix or None)
    ("offset, plain", "is", "isif"),
    ("offset, correction spikes", "bi", None),
    ("signed, full cap", "sg", "sgif"),
    ("signed, even cap", "se", None),
]
CALIBRATED = {"is": "cal", "bi": "bical", "sg": "sgcal"}


def load(name):
    path = os.path.join(out, name + ".eval.json")
    return json.load(open(path)) if os.path.exists(path) else None


def levels(plan_name):
    """Per site: L of its neuron (the binary sub-steps per step)."""
    path = os.path.join(out, plan_name + ".plan.json")
    if not os.path.exists(path):
        return {}
    plan = json.load(open(path))
    return {o["site"]: o["attrs"]["levels"] for o in plan["ops"]
            if o["op"] in ("is_neuron", "if_neuron")}


def totals(r, plan_name):
    sites = r["sites"]
    slots = sum(s["slots"] for s in sites.values())
    spikes = sum(s["spikes"] for s in sites.values())
    events = sum(s["events"] for s in sites.values())
    neg = sum(s.get("negative_events", 0) for s in sites.values())
    capped = sum(s.get("cap_bound", 0) for s in sites.values())
    tokens = r["chunks"] * r["seq_len"]
    L = levels(plan_name)
    # IS plans count one slot per neuron-step; the binary sub-steps are L
    # per step (an IF plan's slots already count them).
    sub = sum(s["slots"] * (1 if r["level"] == "if" else L.get(k, 1))
              for k, s in sites.items())
    return {
        "spikes": spikes / slots, "events": events / slots,
        "silent": 1 - events / slots, "negative": neg / slots,
        "per_token": spikes / tokens, "events_per_token": events / tokens,
        "substep": spikes / sub if sub else 0, "capped": capped / slots,
    }


qann = load("qann")
if not qann:
    sys.exit(f"codes_table.py: no {out}/qann.eval.json")
q = qann["perplexity"]
noprefix = load("qann-np")
qn = noprefix["perplexity"] if noprefix else None
print(f"Prefixed QANN: perplexity {q:.2f}" +
      (f"; prefix-free QANN: {qn:.2f}." if qn else ".") + "\n")
print("| code | T | calibrated | IS ppl / QANN | IF ppl / QANN "
      + ("| IS ppl / prefix-free QANN " if qn else "")
      + "| spikes/n/step | events/n/step | silent | spikes/token "
      "| sub-steps with a spike | cap binds |")
print("|---" * (11 + (1 if qn else 0)) + "|")
for T in steps:
    for label, is_name, if_name in CODES:
        for cal in (False, True):
            name = (CALIBRATED.get(is_name, "") + str(T)) if cal else f"{is_name}{T}"
            if cal and is_name not in CALIBRATED:
                continue
            r = load(name)
            if not r:
                continue
            ifr = None
            if if_name:
                ifr = load((CALIBRATED[is_name] + "if" + str(T)) if cal
                           else f"{if_name}{T}")
            t = totals(r, name)
            ifcell = f"{ifr['perplexity'] / q:.3f}" if ifr else "-"
            npcell = f"| {r['perplexity'] / qn:.3f} " if qn else ""
            print(f"| {label} | {T} | {'yes' if cal else 'no'} "
                  f"| {r['perplexity'] / q:.3f} | {ifcell} {npcell}"
                  f"| {t['spikes']:.3f} "
                  f"| {t['events']:.3f} | {100 * t['silent']:.1f}% "
                  f"| {t['per_token']:.3g} | {100 * t['substep']:.2f}% "
                  f"| {100 * t['capped']:.2f}% |")

# Per site class (the site name without its block): the uncalibrated T=2
# plans of the offset code with correction spikes and the signed code.
print("\nPer site class, T = 2, uncalibrated (spikes / events per neuron per "
      "step, silent):\n")
names = [("offset, correction spikes", "bi2"), ("signed, full cap", "sg2")]
runs = [(l, load(n)) for l, n in names]
runs = [(l, r) for l, r in runs if r]
classes = {}
for label, r in runs:
    for site, s in r["sites"].items():
        c = re.sub(r"^blk\d+\.", "", site)
        agg = classes.setdefault(c, {}).setdefault(label, [0, 0, 0])
        agg[0] += s["spikes"]
        agg[1] += s["events"]
        agg[2] += s["slots"]
print("| site class | " + " | ".join(l for l, _ in runs) + " |")
print("|---" * (len(runs) + 1) + "|")
for c in sorted(classes):
    cells = []
    for label, _ in runs:
        sp, ev, sl = classes[c].get(label, [0, 0, 0])
        cells.append(f"{sp / sl:.2f} / {ev / sl:.2f} / {100 * (1 - ev / sl):.0f}%"
                     if sl else "-")
    print(f"| {c} | " + " | ".join(cells) + " |")
