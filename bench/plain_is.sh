#!/usr/bin/env bash
# Issue #19's plain-IS study: calibrations of the paper's neuron (offset
# code, no correction spikes) at T = 4 and 8, each with its own options,
# chosen on a held-out part of valid.txt and reported on test.txt.
#   bash bench/plain_is.sh [TOKENS=4096]
# valid.txt is split by lines: the first 90% (OUT/valid.cal.txt) is the
# calibration text, the last 10% (OUT/valid.dev.txt) the selection text
# (DEV_TOKENS tokens, 512-token chunks). test.txt gives the reported
# perplexity (first TOKENS tokens). From the QANN IR of a spikec compile job
# (BASE, default out/quickstart). Resumable: finished steps are kept.
# Environment: OUT (default out/plain-is), BASE, TS (default "4 8"),
# ATTEMPTS (default "base"): names from the list below, DEV_TOKENS (default
# 2048), SPIKEC_BIN, SPIKEC_DATA. Writes OUT/plain-is.md.
set -euo pipefail
cd "$(dirname "$0")/.."
TOKENS=${1:-4096}
OUT=${OUT:-out/plain-is}
BASE=${BASE:-out/quickstart}
TS=${TS:-"4 8"}
ATTEMPTS=${ATTEMPTS:-base}
DEV_TOKENS=${DEV_TOKENS:-2048}
B=${SPIKEC_BIN:-build/bin}
DATA=${SPIKEC_DATA:-../shared/data}
WT=$DATA/wikitext-2

# spike-run calibrate's options per attempt (all with --preset cpu --seed 0).
args_of() {
  case $1 in
  base) echo "" ;;                                   # 16 x 256 x 2, lr 0.01
  lr003) echo "--lr 0.003" ;;
  lr03) echo "--lr 0.03" ;;
  ep1) echo "--epochs 1" ;;
  ep4) echo "--epochs 4" ;;
  s32) echo "--samples 32" ;;                        # 2x the samples
  len512) echo "--seq-len 512" ;;                    # 2x longer sequences
  joint) echo "--learn weights,thresholds" ;;
  # The final-output objective, from another attempt's calibrated plan.
  kl | joint-kl) echo "--epochs 0 --end-to-end 2" ;;
  kl-lr003) echo "--epochs 0 --end-to-end 2 --end-to-end-lr 0.003" ;;
  kl-lr01) echo "--epochs 0 --end-to-end 2 --end-to-end-lr 0.01" ;;
  *) echo "unknown attempt $1" >&2; exit 2 ;;
  esac
}
# The attempt whose calibrated plan an attempt starts from; none: the
# uncalibrated one.
from_of() {
  case $1 in
  kl | kl-lr*) echo base ;;
  joint-kl) echo joint ;;
  *) ;;
  esac
}

mkdir -p "$OUT"
ln -sf "$(realpath "$BASE/ir/fp.safetensors")" "$OUT/fp.safetensors"
TOK=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["tokenizer"])' "$BASE/plans/fp.plan.json")
# Written once (and atomically): runs of other T may share OUT.
[ -f "$OUT/valid.dev.txt" ] || {
  n=$(wc -l < "$WT/valid.txt")
  head -n $(( n * 9 / 10 )) "$WT/valid.txt" > "$OUT/valid.cal.txt.tmp"
  tail -n +$(( n * 9 / 10 + 1 )) "$WT/valid.txt" > "$OUT/valid.dev.txt.tmp"
  mv "$OUT/valid.cal.txt.tmp" "$OUT/valid.cal.txt"
  mv "$OUT/valid.dev.txt.tmp" "$OUT/valid.dev.txt"
}
# shellcheck source=bench/common.sh
. bench/common.sh
measure() { # name plan : perplexity on dev and test
  [ -f "$OUT/$1.dev.json" ] || timed "$OUT/$1.dev.log" "$B/spike-run" eval --plan "$2" \
    --text "$OUT/valid.dev.txt" --tokens "$DEV_TOKENS" --seq-len 512 --json "$OUT/$1.dev.json"
  [ -f "$OUT/$1.test.json" ] || timed "$OUT/$1.test.log" "$B/spike-run" eval --plan "$2" \
    --text "$WT/test.txt" --tokens "$TOKENS" --seq-len 512 --json "$OUT/$1.test.json"
}
# A misspelt attempt stops here, before anything runs.
for a in $ATTEMPTS; do args_of "$a" > /dev/null; done
measure qann "$BASE/plans/qann.plan.json"
for T in $TS; do
  [ -f "$OUT/is$T.plan.json" ] || {
    "$B/spike-opt" "$BASE/ir/qann.mlir" --convert-qnn-to-spike="timesteps=$T" -o "$OUT/is$T.mlir"
    plan "is$T"
  }
  measure "is$T" "$OUT/is$T.plan.json"
  for a in $ATTEMPTS; do
    name="is$T-$a"
    from=is$T
    f=$(from_of "$a")
    [ -z "$f" ] || from="is$T-$f"
    echo "== T=$T attempt=$a from $from"
    [ -f "$OUT/$from.plan.json" ] || { echo "$from: run that attempt first" >&2; exit 2; }
    # shellcheck disable=SC2046
    [ -f "$OUT/$name.calib.json" ] || timed "$OUT/$name.calib.log" "$B/spike-run" calibrate \
      --plan "$OUT/$from.plan.json" --teacher-plan "$BASE/plans/fp.plan.json" \
      --text "$OUT/valid.cal.txt" --preset cpu --seed 0 $(args_of "$a") \
      -o "$OUT/$name.calib.json"
    [ -f "$OUT/$name.plan.json" ] || {
      "$B/spike-opt" "$OUT/$from.mlir" \
        --spike-apply-calibration="file=$OUT/$name.calib.json weights-out=$OUT/$name.safetensors" \
        -o "$OUT/$name.mlir"
      plan "$name"
    }
    measure "$name" "$OUT/$name.plan.json"
  done
done
python3 bench/plain_is.py "$OUT" "$TS" "$ATTEMPTS" | tee "$OUT/plain-is.md"
