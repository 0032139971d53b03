#!/usr/bin/env bash
# The compile job of a tiny model (Inputs/golden-job/hf) from fixed
# statistics, calibration and firing-rate files, stage by stage as spikec
# runs it: import (residual-down rotation), observers, W6A6 quantization,
# conversion at T = 2 (with correction spikes for the graded chip, without
# for the binary one), calibration applied and int8 weight codes stored,
# IS -> IF lowering, legality,
# mapping, chip programs and NIR, with a plan at every level. Each stage is
# deterministic arithmetic (no BLAS, no libm), so the outputs are the same
# bytes on any machine; golden-job.test compares them with Golden/.
#
#   golden_job.sh BIN_DIR SRC_DIR OUT [--make-inputs]
# The importer records the tokenizer's absolute path, which the comparison
# reads as <OUT>; the fixed inputs are copied into OUT and named relative to
# it, since the mapping report records the rates file's path.
# --make-inputs first writes the fixed inputs (statistics, calibration,
# firing rates) with spike-run into Inputs/golden-job; only to re-make them
# on purpose, since they then differ by machine.
set -euo pipefail
BIN=$1 SRC=$2 OUT=$3
IN=$SRC/test/Pipeline/Inputs/golden-job
GRADED=$SRC/chips/loihi2-like.yaml BINARY=$SRC/chips/truenorth-like.yaml
mkdir -p "$OUT" && cd "$OUT"
cp -r "$IN/hf" hf
mkdir -p ir plans chip nir
mkdir -p in
fixed() { cp "$IN/$1" "in/$1" && echo "in/$1"; }
opt() { "$BIN/spike-opt" "$@"; }
translate() { "$BIN/spike-translate" "$@"; }
plan() {
  translate --emit-plan "ir/$1.mlir" --plan-tensors "plans/$1.safetensors" \
    --tokenizer hf -o "plans/$1.plan.json"
}
translate --import-llama hf --rotate residual-down -o ir/fp.mlir
plan fp
opt ir/fp.mlir --spike-insert-observers -o ir/observed.mlir
plan observed
if [ "${4:-}" = --make-inputs ]; then
  printf 'the quick brown fox jumps over the lazy dog. %.0s' $(seq 40) > text.txt
  "$BIN/spike-run" stats --plan plans/observed.plan.json --text text.txt \
    --seq-len 32 -o "$IN/activation-stats.json" > /dev/null 2>&1
fi
opt ir/observed.mlir \
  --spike-quantize="stats=$(fixed activation-stats.json) wbits=6 abits=6 mse=true" \
  -o ir/qann.mlir
plan qann
# The lowering stages as spikec runs them (spike/Pipeline/Lowering.h).
convert="spike-verify-sites,convert-qnn-to-spike{bits=0 budget=true timesteps=2"
opt ir/qann.mlir "--pass-pipeline=builtin.module($convert bidirectional=true})" \
  -o ir/is.mlir
opt ir/qann.mlir "--pass-pipeline=builtin.module($convert bidirectional=false})" \
  -o ir/is-plain.mlir
plan is
if [ "${4:-}" = --make-inputs ]; then
  "$BIN/spike-run" calibrate --plan plans/is.plan.json --teacher-plan \
    plans/fp.plan.json --text text.txt --samples 2 --seq-len 16 --epochs 1 \
    -o "$IN/calibration.json" > /dev/null 2>&1
  rm -f "$IN"/calibration.layers.*
fi
CALIBRATION=$(fixed calibration.json)
# Calibration applied, then the weights stored as int8 codes over the
# imported file, in one run.
for g in is is-plain; do
  opt ir/$g.mlir \
    "--pass-pipeline=builtin.module(spike-apply-calibration{file={$CALIBRATION}},spike-store-weight-codes{out={ir/$g-calibrated.codes.safetensors} overlay=true})" \
    -o ir/$g-calibrated.mlir
done
plan is-calibrated
opt ir/is-plain-calibrated.mlir \
  "--pass-pipeline=builtin.module(spike-lower-is-to-if{schedule={integrate-then-fire}})" \
  -o ir/if.mlir
plan if
# Legality and mapping remarks are part of the output.
opt ir/is-calibrated.mlir --spike-check-chip=chip=$GRADED -o chip/checked.mlir \
  2> chip/checked.diag
opt ir/if.mlir --spike-check-chip=chip=$BINARY -o chip/checked-binary.mlir \
  2> chip/checked-binary.diag
if [ "${4:-}" = --make-inputs ]; then
  "$BIN/spike-run" eval --plan plans/is-calibrated.plan.json --text text.txt \
    --tokens 64 --seq-len 32 --firing-rates "$IN/firing-rates.json" > /dev/null 2>&1
fi
RATES=$(fixed firing-rates.json)
opt ir/is-calibrated.mlir --spike-map-to-chip="chip=$GRADED \
rates=$RATES report=chip/mapping.json \
report-md=chip/mapping.md placement-out=chip/placement.json" \
  -o ir/mapped.mlir 2> chip/mapping.diag
# The program from the mapping's placement, as spikec builds it; its bytes
# are those the emitter's own mapping gave before it could read one.
translate --emit-chip-program ir/is-calibrated.mlir --chip "$GRADED" \
  --program-rates "$RATES" --program-placement chip/placement.json \
  --program-tensors chip/program.safetensors -o chip/program.json
translate --emit-chip-program ir/if.mlir --chip "$BINARY" \
  --program-tensors chip/program-binary.safetensors \
  -o chip/program-binary.json
translate --emit-nir ir/if.mlir --nir-prefix nir/model -o nir/manifest.json
rm -rf hf in text.txt
