#!/usr/bin/env bash
# The shape of the paper's Table 2 on SmolLM2-135M-Instruct with WikiText-2:
# FP, QANN W6A6, and the SNN at T = 1, 2, 4, 8 (uncalibrated, calibrated,
# and with correction spikes), plus the ablations (group size, IF schedules,
# budget) and zero-shot columns. Statistics and calibration read valid.txt;
# perplexity reads the first N tokens of test.txt in 512-token chunks. Each
# step's command and wall time go to OUT/table2.log; the table to
# OUT/table2.md.
#   bash bench/table2.sh [N=4096] [STAGES="fp qann snn bi calib bical groups budget if zeroshot"]
# Stages run in the order given. A finished step leaves a marker in
# OUT/done/, so an interrupted run resumes where it stopped.
# Environment: SPIKEC_DATA (default ../shared/data), OUT (default
# out/table2), SPIKEC_BIN (default build/bin), CAL_PRESET (default cpu),
# CAL_TS (time steps to calibrate, default "2 4 8"), CODE_TS (time steps of
# the "codes" stage, default "2 4 8"; CODE_IF_TS: those whose IF plans are
# evaluated, default CODE_TS), SNN_TS and BI_TS (of the "snn" and
# "bi" stages, default "1 2 4 8" and "2 4 8"), ZS_LIMIT (default 100),
# ZS_MODELS (default "fp qann is2 bi2 cal2 bical2").
# Hours on 2 cores with every stage; run it in the background.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-4096}
STAGES=${2:-"fp qann snn bi calib bical groups budget if zeroshot"}
DATA=${SPIKEC_DATA:-../shared/data}
OUT=${OUT:-out/table2}
CAL_PRESET=${CAL_PRESET:-cpu}
CAL_TS=${CAL_TS:-"2 4 8"}
ZS_LIMIT=${ZS_LIMIT:-100}
ZS_MODELS=${ZS_MODELS:-"fp qann is2 bi2 cal2 bical2"}
PREFIX="0 198" # <|endoftext|> and "\n": SmolLM2's outlier tokens
if [ ! -f "$DATA/wikitext-2/test.txt" ]; then
  echo "bench/table2.sh: skipped: $DATA/wikitext-2 not found (set SPIKEC_DATA)" >&2
  exit 0
fi
B=${SPIKEC_BIN:-build/bin}
mkdir -p "$OUT/done"
LOG="$OUT/table2.log"
ROWS="$OUT/rows.tsv"
touch "$ROWS"
M=$(bash scripts/fetch-smollm2.sh)
TEST="$DATA/wikitext-2/test.txt"
VALID="$DATA/wikitext-2/valid.txt"

stage() { # name command... : runs once, logs the command and its wall time
  local name=$1
  shift
  local marker="$OUT/done/${name// /_}"
  [ -f "$marker" ] && return 0
  local t0=$(date +%s)
  echo "\$ $*" >> "$LOG"
  "$@" >> "$LOG" 2>&1
  echo "[$name: $(( $(date +%s) - t0 )) s]" >> "$LOG"
  echo "$(( $(date +%s) - t0 ))" > "$marker"
}
plan() { # mlir -> plan
  stage "plan $1" $B/spike-translate --emit-plan "$OUT/$1.mlir" \
    --plan-tensors "$OUT/$1.plan.safetensors" --tokenizer "$M" -o "$OUT/$1.plan.json"
}
ppl() { # row-label plan-name : one table row, replacing an older one
  stage "eval $2" $B/spike-run eval --plan "$OUT/$2.plan.json" --text "$TEST" \
    --tokens "$N" --seq-len 512 --batch 2 --json "$OUT/$2.eval.json"
  python3 - "$1" "$OUT/$2.eval.json" "$(cat "$OUT/done/eval_$2")" "$ROWS" <<'PY'
import json, sys
label, path, wall, rows = sys.argv[1:]
r = json.load(open(path))
lines = [l for l in open(rows) if l.split("\t")[0] != label]
lines.append(f"{label}\t{r['perplexity']:.4f}\t{r['tokens_per_second']:.1f}\t{wall}\n")
open(rows, "w").writelines(lines)
PY
}
# FP (rotated: randomized Hadamard on the residual stream and down_proj input)
stage import $B/spike-translate --import-llama "$M" --rotate residual-down -o "$OUT/fp.mlir"
plan fp

# QANN W6A6: PrefixQuant-style static per-tensor activations, MSE clipping
stage observers $B/spike-opt "$OUT/fp.mlir" --spike-insert-observers -o "$OUT/obs.mlir"
plan obs
stage stats $B/spike-run stats --plan "$OUT/obs.plan.json" --text "$VALID" \
  --tokens 8192 --seq-len 512 --batch 2 --prefix "$PREFIX" -o "$OUT/stats.json"
stage quantize $B/spike-opt "$OUT/obs.mlir" \
  --spike-quantize="stats=$OUT/stats.json wbits=6 abits=6 mse=true" -o "$OUT/qann.mlir"
plan qann

convert() { # name T extra-options
  stage "convert $1" $B/spike-opt "$OUT/qann.mlir" \
    --convert-qnn-to-spike="timesteps=$2 $3" -o "$OUT/$1.mlir"
  plan "$1"
}
calibrated() { # name source-name row-label extra-calibrate-options...
  local name=$1 from=$2 label=$3
  shift 3
  stage "calibrate $name" $B/spike-run calibrate --plan "$OUT/$from.plan.json" \
    --teacher-plan "$OUT/fp.plan.json" --text "$VALID" --preset "$CAL_PRESET" \
    "$@" -o "$OUT/$name.json"
  stage "apply $name" $B/spike-opt "$OUT/$from.mlir" \
    --spike-apply-calibration="file=$OUT/$name.json" -o "$OUT/$name.mlir"
  plan "$name"
  ppl "$label" "$name"
}

run_stage() {
  case $1 in
  fp) ppl "FP" fp ;;
  qann) ppl "QANN W6A6" qann ;;
  snn)
    for T in ${SNN_TS:-1 2 4 8}; do
      convert "is$T" $T ""
      ppl "SNN T=$T, uncalibrated" "is$T"
    done ;;
  bi)
    for T in ${BI_TS:-2 4 8}; do
      convert "bi$T" $T "bidirectional=true"
      ppl "SNN T=$T, correction spikes" "bi$T"
    done ;;
  calib)
    for T in $CAL_TS; do
      convert "is$T" $T ""
      calibrated "cal$T" "is$T" "SNN T=$T, calibrated ($CAL_PRESET preset)"
    done ;;
  bical)
    for T in $CAL_TS; do
      convert "bi$T" $T "bidirectional=true"
      calibrated "bical$T" "bi$T" "SNN T=$T, correction spikes, calibrated ($CAL_PRESET preset)"
    done ;;
  groups)
    convert is2 2 ""
    for G in 256 64; do
      calibrated "cal2-g$G" is2 "SNN T=2, calibrated, group size $G" --group-size $G
    done ;;
  budget)
    convert nobudget2 2 "budget=false"
    ppl "SNN T=2, no budget" nobudget2 ;;
  codes) # Issue #16: the signed code (full and even cap) and the binary IF
    # level of the plain offset code and of the signed code, all with the
    # prefix (its keys and values are constants of the attention state).
    for T in ${CODE_TS:-2 4 8}; do
      convert "is$T" $T ""
      convert "sg$T" $T "coding=signed signed-cap=full"
      ppl "SNN T=$T, signed code" "sg$T"
      convert "se$T" $T "coding=signed signed-cap=even"
      ppl "SNN T=$T, signed code, even cap" "se$T"
      for m in is sg; do
        stage "lower $m$T" $B/spike-opt "$OUT/$m$T.mlir" --spike-lower-is-to-if \
          -o "$OUT/${m}if$T.mlir"
        plan "${m}if$T"
        # The IF evals are the slow ones (T x L binary sub-steps).
        case " ${CODE_IF_TS:-${CODE_TS:-2 4 8}} " in
        *" $T "*) ppl "SNN T=$T, $m, IF level" "${m}if$T" ;;
        esac
      done
    done ;;
  sgcal) # The signed code, calibrated, at the IS and IF levels.
    for T in $CAL_TS; do
      convert "sg$T" $T "coding=signed signed-cap=full"
      calibrated "sgcal$T" "sg$T" "SNN T=$T, signed code, calibrated ($CAL_PRESET preset)"
      stage "lower sgcal$T" $B/spike-opt "$OUT/sgcal$T.mlir" --spike-lower-is-to-if \
        -o "$OUT/sgcalif$T.mlir"
      plan "sgcalif$T"
      ppl "SNN T=$T, signed code, calibrated, IF level" "sgcalif$T"
    done ;;
  energy) # Traffic and energy per token from each code's measured rates
    # (ENERGY_PLANS, default "bi2 sg2"), on the Loihi-2-like and
    # SpiNNaker2-like chips.
    for p in ${ENERGY_PLANS:-bi2 sg2}; do
      [ -f "$OUT/$p.plan.json" ] || continue
      stage "rates $p" $B/spike-run eval --plan "$OUT/$p.plan.json" --text "$TEST" \
        --tokens "$N" --seq-len 512 --batch 2 --firing-rates "$OUT/$p.rates.json"
      for chip in loihi2-like spinnaker2-like; do
        stage "map $p $chip" $B/spike-opt "$OUT/$p.mlir" \
          --spike-map-to-chip="chip=chips/$chip.yaml rates=$OUT/$p.rates.json report=$OUT/$p.$chip.mapping.json report-md=$OUT/$p.$chip.mapping.md" \
          -o /dev/null
      done
    done ;;
  if) # Binary IF without a prefix (the earlier comparison).
    stage "stats (no prefix)" $B/spike-run stats --plan "$OUT/obs.plan.json" \
      --text "$VALID" --tokens 8192 --seq-len 512 --batch 2 -o "$OUT/stats-np.json"
    stage "quantize (no prefix)" $B/spike-opt "$OUT/obs.mlir" \
      --spike-quantize="stats=$OUT/stats-np.json wbits=6 abits=6 mse=true" -o "$OUT/qann-np.mlir"
    plan qann-np
    ppl "QANN W6A6, no prefix" qann-np
    stage "convert np" $B/spike-opt "$OUT/qann-np.mlir" \
      --convert-qnn-to-spike="timesteps=2" -o "$OUT/is2-np.mlir"
    plan is2-np
    ppl "SNN T=2, no prefix, IS" is2-np
    for S in integrate-then-fire uniform; do
      stage "lower $S" $B/spike-opt "$OUT/is2-np.mlir" \
        --spike-lower-is-to-if="schedule=$S" -o "$OUT/if2-$S.mlir"
      plan "if2-$S"
      ppl "SNN T=2, no prefix, IF $S" "if2-$S"
    done ;;
  zeroshot)
    for p in $ZS_MODELS; do
      [ -f "$OUT/$p.plan.json" ] || continue
      stage "zeroshot $p" $B/spike-run zeroshot --plan "$OUT/$p.plan.json" \
        --data "$DATA/zeroshot" --limit "$ZS_LIMIT" --json "$OUT/$p.zeroshot.json"
    done ;;
  *) echo "bench/table2.sh: unknown stage '$1'" >&2; exit 2 ;;
  esac
}
for s in $STAGES; do run_stage "$s"; done

python3 - "$ROWS" "$OUT" "$N" "$ZS_LIMIT" "$ZS_MODELS" > "$OUT/table2.md" <<'PY'
import json, os, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
out, n, limit, zs_models = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5].split()
qann = next((float(r[1]) for r in rows if r[0] == "QANN W6A6"), None)
print(f"WikiText-2 test, first {n} tokens, 512-token chunks.\n")
print("| model | perplexity | / QANN | tokens/s | wall s |")
print("|---|---|---|---|---|")
for label, ppl, tps, wall in rows:
    ratio = f"{float(ppl) / qann:.3f}" if qann else ""
    print(f"| {label} | {float(ppl):.2f} | {ratio} | {tps} | {wall} |")
zs = [(p, os.path.join(out, f"{p}.zeroshot.json")) for p in zs_models]
zs = [(p, json.load(open(f))) for p, f in zs if os.path.exists(f)]
if zs:
    tasks = ["piqa", "arc_easy", "arc_challenge", "hellaswag", "winogrande"]
    print(f"\nZero-shot, first {limit} items per task (acc_norm; acc for WinoGrande; ± standard error):\n")
    print("| model | " + " | ".join(tasks) + " | Avg. Acc. |")
    print("|---" * (len(tasks) + 2) + "|")
    for p, r in zs:
        cells = []
        for t in tasks:
            s = r["tasks"][t]
            key = s["reported"]
            cells.append(f"{100 * s[key]:.1f} ± {100 * s[key + '_stderr']:.1f}")
        print(f"| {p} | " + " | ".join(cells) + f" | {100 * r['avg_acc']:.2f} |")
PY
cat "$OUT/table2.md"
