#!/usr/bin/env bash
# Issue #19's sparsity-fidelity curve: the signed code calibrated with
# spike-run calibrate --spike-penalty LAMBDA for several LAMBDA at T = 2
# and 4; perplexity against spikes per token on WikiText-2.
#   bash bench/spike_pareto.sh [TOKENS=4096]
# From the QANN IR of a spikec compile job (BASE, default out/quickstart):
# convert to the signed code at each T as the job does, calibrate on
# valid.txt (--preset cpu), apply, evaluate the first TOKENS tokens of
# test.txt. Writes OUT/pareto.csv and OUT/pareto.png (bench/spike_pareto.py).
# Environment: OUT (default out/pareto), BASE, TS (default "2 4"), LAMBDAS
# (default "0 0.1 0.3 1"), SPIKEC_BIN (default build/bin), SPIKEC_DATA
# (default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
TOKENS=${1:-4096}
OUT=${OUT:-out/pareto}
BASE=${BASE:-out/quickstart}
TS=${TS:-"2 4"}
LAMBDAS=${LAMBDAS:-"0 0.1 0.3 1"}
B=${SPIKEC_BIN:-build/bin}
WT=${SPIKEC_DATA:-../shared/data}/wikitext-2
TOK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["tokenizer"])' "$BASE/plans/fp.plan.json" 2>/dev/null || true)
[ -n "$TOK" ] || TOK=$(sed -n 's/.*--tokenizer \([^ ]*\).*/\1/p' "$BASE/logs/02-plan-fp.log" | head -1)
mkdir -p "$OUT"
# The IR names its weights relative to itself.
ln -sf "$(realpath "$BASE/ir/fp.safetensors")" "$OUT/fp.safetensors"
# shellcheck source=bench/common.sh
. bench/common.sh
for T in $TS; do
  [ -f "$OUT/is$T.plan.json" ] || {
    "$B/spike-opt" "$BASE/ir/qann.mlir" "--pass-pipeline=builtin.module(spike-verify-sites,convert-qnn-to-spike{bidirectional=false bits=0 budget=true coding=signed signed-cap=full timesteps=$T})" -o "$OUT/is$T.mlir"
    plan "is$T"
  }
  for L in $LAMBDAS; do
    name="is$T-l$L"
    [ -f "$OUT/$name.eval.json" ] && continue
    echo "== T=$T lambda=$L"
    [ -f "$OUT/$name.calib.json" ] ||
      "$B/spike-run" calibrate --plan "$OUT/is$T.plan.json" \
        --teacher-plan "$BASE/plans/fp.plan.json" --text "$WT/valid.txt" --preset cpu \
        --seed 0 --spike-penalty "$L" -o "$OUT/$name.calib.json" > "$OUT/$name.calib.log" 2>&1
    "$B/spike-opt" "$OUT/is$T.mlir" --spike-apply-calibration="file=$OUT/$name.calib.json" -o "$OUT/$name.mlir"
    plan "$name"
    "$B/spike-run" eval --plan "$OUT/$name.plan.json" --text "$WT/test.txt" \
      --tokens "$TOKENS" --seq-len 512 --json "$OUT/$name.eval.json" > "$OUT/$name.eval.log" 2>&1
    grep perplexity "$OUT/$name.eval.log"
  done
done
[ -f "$OUT/qann.eval.json" ] || "$B/spike-run" eval --plan "$BASE/plans/qann.plan.json" \
  --text "$WT/test.txt" --tokens "$TOKENS" --seq-len 512 --json "$OUT/qann.eval.json" > /dev/null 2>&1
# Debian's python3 has python3-matplotlib; one earlier on PATH may not.
PY=${PYTHON:-python3}
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import matplotlib' 2>/dev/null && PY=/usr/bin/python3
"$PY" bench/spike_pareto.py "$OUT" $TS -- $LAMBDAS
