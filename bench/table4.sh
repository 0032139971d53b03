#!/usr/bin/env bash
# The paper's Table 4 on SmolLM2 (issue #19): layer-wise calibration of the
# plain IS neuron at T = 2 learning theta and v0 (the paper's method), the
# block's quantized linear weights (its baseline: straight-through rounding,
# row scales kept), or both. Per row: learnable parameters per block,
# WikiText-2 perplexity (first TOKENS tokens of test.txt, 512-token chunks)
# and the zero-shot Avg. Acc. (first ZS_LIMIT items of the five tasks).
#   bash bench/table4.sh [TOKENS=4096]
# From the QANN IR of a spikec compile job (BASE, default out/quickstart);
# calibration on valid.txt with --preset cpu. Resumable: finished steps are
# kept. Writes OUT/table4.md. Environment: OUT (default out/table4), BASE,
# T (default 2), LEARN (default "thresholds weights weights,thresholds"),
# ZS_LIMIT (default 100), WEIGHT_LR (default: spike-run's), SPIKEC_BIN,
# SPIKEC_DATA.
set -euo pipefail
cd "$(dirname "$0")/.."
TOKENS=${1:-4096}
OUT=${OUT:-out/table4}
BASE=${BASE:-out/quickstart}
T=${T:-2}
LEARN=${LEARN:-"thresholds weights weights,thresholds"}
ZS_LIMIT=${ZS_LIMIT:-100}
B=${SPIKEC_BIN:-build/bin}
DATA=${SPIKEC_DATA:-../shared/data}
WT=$DATA/wikitext-2
TOK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["tokenizer"])' "$BASE/plans/fp.plan.json")
mkdir -p "$OUT"
ln -sf "$(realpath "$BASE/ir/fp.safetensors")" "$OUT/fp.safetensors"
# shellcheck source=bench/common.sh
. bench/common.sh
measure() { # name [plan] [ppl-only] : perplexity and zero-shot of a plan
  local plan=${2:-$OUT/$1.plan.json}
  [ -f "$OUT/$1.eval.json" ] || timed "$OUT/$1.eval.log" "$B/spike-run" eval \
    --plan "$plan" --text "$WT/test.txt" --tokens "$TOKENS" \
    --seq-len 512 --json "$OUT/$1.eval.json"
  [ -n "${3:-}" ] || [ -f "$OUT/$1.zeroshot.json" ] || timed "$OUT/$1.zeroshot.log" "$B/spike-run" \
    zeroshot --plan "$plan" --data "$DATA/zeroshot" --limit "$ZS_LIMIT" \
    --json "$OUT/$1.zeroshot.json"
}
[ -f "$OUT/is$T.plan.json" ] || {
  "$B/spike-opt" "$BASE/ir/qann.mlir" --convert-qnn-to-spike="timesteps=$T" -o "$OUT/is$T.mlir"
  plan "is$T"
}
for what in $LEARN; do
  name="is$T-${what//,/-}"
  echo "== T=$T learn=$what"
  [ -f "$OUT/$name.calib.json" ] || timed "$OUT/$name.calib.log" "$B/spike-run" calibrate \
    --plan "$OUT/is$T.plan.json" --teacher-plan "$BASE/plans/fp.plan.json" \
    --text "$WT/valid.txt" --preset cpu --seed 0 --learn "$what" \
    ${WEIGHT_LR:+--weight-lr $WEIGHT_LR} -o "$OUT/$name.calib.json"
  [ -f "$OUT/$name.plan.json" ] || {
    "$B/spike-opt" "$OUT/is$T.mlir" \
      --spike-apply-calibration="file=$OUT/$name.calib.json weights-out=$OUT/$name.safetensors" \
      -o "$OUT/$name.mlir"
    plan "$name"
  }
  measure "$name"
done
# The QANN (perplexity and zero-shot) and FP (perplexity) for the ratios.
measure qann "$BASE/plans/qann.plan.json"
measure fp "$BASE/plans/fp.plan.json" ppl-only
python3 bench/table4.py "$OUT" "$T" $LEARN | tee "$OUT/table4.md"
