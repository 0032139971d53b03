#!/usr/bin/env bash
# Issue #17's table: SmolLM2-135M at T = 2 on the four shipped targets, in
# the three ways to run, from the plans and measured firing rates of
#   OUT=out/table2 ENERGY_PLANS="bi2 sg2 is2" bash bench/table2.sh 4096 \
#     "qann bi codes energy"
# (bi2: offset code with correction spikes; sg2: the signed code; sgif2:
# its binary IF lowering, the one binary chips run; isif2: the plain offset
# code's, with is2's rates, a column of its own when they exist). Graded
# chips map the IS graphs, binary chips the IF graph; TrueNorth-like stops
# at legality.
# Writes OUT/energy/<plan>.<chip>.mapping.{json,md}, .energy.png, .mesh.png
# (and the legality log)
# and prints the table (docs/Mapping.md).
#   bash bench/energy_table.sh [BATCH=0] [PROMPT=128]
# Environment: OUT (default out/table2), SPIKEC_BIN (default build/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/table2}
B=${SPIKEC_BIN:-build/bin}
BATCH=${1:-0}
PROMPT=${2:-128}
mkdir -p "$OUT/energy"
run() { # plan rates chip [compared mapping reports...]
  local plan=$1 rates=$2 chip=$3
  shift 3
  local base="$OUT/energy/$plan.$chip" compare=""
  [ $# -gt 0 ] && compare=" compare=$(IFS=,; echo "$*")"
  "$B/spike-opt" "$OUT/$plan.mlir" --spike-map-to-chip="chip=chips/$chip.yaml rates=$OUT/$rates.rates.json report=$base.mapping.json report-md=$base.mapping.md energy-plot=$base.energy.png mesh-plot=$base.mesh.png batch=$BATCH prompt=$PROMPT$compare" \
    -o /dev/null > "$base.log" 2>&1 || true
}
for chip in loihi2-like spinnaker2-like; do
  run bi2 bi2 "$chip"
  # The signed code's plot marks the offset code's measured point too.
  run sg2 sg2 "$chip" "$OUT/energy/bi2.$chip.mapping.json"
done
run sgif2 sg2 loihi1-like
[ -f "$OUT/is2.rates.json" ] && run isif2 is2 loihi1-like "$OUT/energy/sgif2.loihi1-like.mapping.json"
"$B/spike-opt" "$OUT/sgif2.mlir" --spike-check-chip="chip=chips/truenorth-like.yaml" \
  -o /dev/null > "$OUT/energy/sgif2.truenorth-like.log" 2>&1 || true
python3 - "$OUT/energy" <<'PY'
import json, os, re, sys
d = sys.argv[1]
cols = [("Loihi-2-like, offset + correction", "bi2.loihi2-like"),
        ("Loihi-2-like, signed", "sg2.loihi2-like"),
        ("SpiNNaker2-like, offset + correction", "bi2.spinnaker2-like"),
        ("SpiNNaker2-like, signed", "sg2.spinnaker2-like"),
        ("Loihi-1-like, signed IF", "sgif2.loihi1-like"),
        ("Loihi-1-like, offset plain IF", "isif2.loihi1-like")]
cols = [c for c in cols if c[1] != "isif2.loihi1-like"
        or os.path.exists(os.path.join(d, c[1] + ".mapping.json"))]
docs = {}
for _, k in cols:
    p = os.path.join(d, k + ".mapping.json")
    if os.path.exists(p):
        docs[k] = json.load(open(p))
    else:
        sys.exit(f"energy_table: {p} missing; see {d}/{k}.log")
uj = lambda pj: f"{pj / 1e6:,.1f}"
rows = []
def row(name, f):
    rows.append(f"| {name} | " + " | ".join(f(docs[k]) for _, k in cols) + " |")
row("chips in use (of)", lambda m: f"{m['resources']['chips_used']} ({m['chips']})")
row("neuron cores (lower bound)", lambda m: f"{m['resources']['neuron_cores']} ({m['resources']['lower_bound_cores']})")
row("spikes / neuron / step", lambda m: f"{m['per_token']['mean_spike_rate']:.3f}")
row("events / neuron / step", lambda m: f"{m['per_token']['mean_event_rate']:.3f}")
row("energy scales with", lambda m: m["per_token"]["rate_counts"])
e = lambda key: (lambda m: uj(m["energy_pj_per_token"][key]))
row("synaptic ops, uJ", e("synaptic"))
row("neuron updates, uJ", e("neuron"))
row("spikes + hops, uJ", lambda m: uj(m["energy_pj_per_token"]["spike_local"] + m["energy_pj_per_token"]["interconnect_hops"]))
row("glue ops, uJ", e("glue"))
row("host (embedding, codec, head), uJ", e("host"))
for i, mode in enumerate(["decode, batch 1", "batched decode", "prefill"]):
    name = lambda m, i=i: m["run_modes"][i]["name"]
    rows.append(f"| **{mode}** | " + " | ".join(name(docs[k]) for _, k in cols) + " |")
    row("  latency ms", lambda m, i=i: f"{m['run_modes'][i]['latency_ns'] / 1e6:,.2f}")
    row("  tokens/s", lambda m, i=i: f"{m['run_modes'][i]['tokens_per_second']:,.1f}")
    row("  static uJ / token", lambda m, i=i: uj(m["run_modes"][i]["static_pj_per_token"]))
    row("  **total uJ / token**", lambda m, i=i: "**" + uj(m["run_modes"][i]["total_pj_per_token"]) + "**")
for r in docs[cols[0][1]]["references"]:
    n = r["name"]
    row(f"{n} ({r['kind']}), uJ / token", lambda m, n=n: uj(next(x for x in m["references"] if x["name"] == n)["pj_per_token"]))
    fmt = lambda v: v if isinstance(v, str) else f"{v:.3g}"
    row(f"  rate to match it (batch 1 / batched / prefill)",
        lambda m, n=n: " / ".join(fmt(rm["break_even_rate"][n]) for rm in m["run_modes"]))
row("SOP convention: SNN / ANN, uJ", lambda m: f"{uj(m['sop_convention']['snn_pj'])} / {uj(m['sop_convention']['ann_pj'])}")
row("  spike rate to match the ANN there", lambda m: f"{m['sop_convention']['break_even_spike_rate']:.3g}")
print("| | " + " | ".join(c for c, _ in cols) + " |")
print("|---" * (len(cols) + 1) + "|")
print("\n".join(rows))
log = open(os.path.join(d, "sgif2.truenorth-like.log")).read()
errs = [l.split("error: ", 1)[1] for l in log.splitlines() if "error: " in l]
print(f"\nTrueNorth-like (sgif2.mlir, `--spike-check-chip`): {len(errs)} legality errors, e.g.")
for l in sorted(set(re.sub(r'"[^"]+"', '"…"', x) for x in errs))[:4]:
    print(f"- {l}")
PY
