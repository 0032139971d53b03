#!/usr/bin/env bash
# Makes a small chip program (the tiny test model, IF level, on the graded
# test chip) and a trace of it in DIR, for the exchange-file campaigns:
#   bash bench/make_chip_program.sh DIR     (tools from build/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: make_chip_program.sh DIR}
B=${SPIKE_BIN:-build/bin}
CHIP=test/Target/Chip/Inputs/tiny-graded.yaml
mkdir -p "$DIR"
"$B/spike-make-test-model" --format hf --out "$DIR/hf"
"$B/spike-translate" --import-llama "$DIR/hf" -o "$DIR/fp.mlir"
"$B/spike-opt" "$DIR/fp.mlir" --spike-insert-observers -o "$DIR/obs.mlir"
"$B/spike-translate" --emit-plan "$DIR/obs.mlir" --plan-tensors "$DIR/obs.safetensors" \
  --tokenizer "$DIR/hf" -o "$DIR/obs.plan.json"
"$B/spike-run" stats --plan "$DIR/obs.plan.json" --text test/Transforms/Inputs/calib.txt \
  --seq-len 32 -o "$DIR/stats.json" > /dev/null 2>&1
"$B/spike-opt" "$DIR/obs.mlir" --spike-quantize="stats=$DIR/stats.json" -o "$DIR/qann.mlir"
"$B/spike-opt" "$DIR/qann.mlir" --convert-qnn-to-spike="timesteps=2" --spike-lower-is-to-if \
  -o "$DIR/if.mlir"
"$B/spike-translate" --emit-plan "$DIR/if.mlir" --plan-tensors "$DIR/if.safetensors" \
  --tokenizer "$DIR/hf" -o "$DIR/if.plan.json"
"$B/spike-translate" --emit-chip-program "$DIR/if.mlir" --chip "$CHIP" \
  --program-tensors "$DIR/program.safetensors" -o "$DIR/program.json"
"$B/spike-run" exec --plan "$DIR/if.plan.json" --tokens "1 5 9 3" --chip-numerics "$CHIP" \
  --chip-trace "$DIR/trace.safetensors" > /dev/null 2>&1
