#!/usr/bin/env bash
# Writes the inputs and goldens of test/Tools/determinism.test. Run it only
# after a deliberate change of what the compiler emits (or of the plan
# format), and review the diff of the goldens:
#   bash test/Tools/Inputs/determinism/regenerate.sh [BUILD_DIR]
#
# Inputs (kept fixed; the test never regenerates them):
#   model/                 a tiny HF checkpoint (spike-make-test-model)
#   activation-stats.json  statistics of that model on calib.txt
#   calibration.json       a T = 2 calibration of its IS graph
# Goldens (what the compiler makes of the inputs, byte for byte):
#   golden/*.mlir, golden/*.plan.json, golden/SHA256SUMS (tensor files)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
bin=${1:-$root/build}/bin
calib=$root/test/Transforms/Inputs/calib.txt
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -d "$here/model" ] || [ "${REGENERATE_INPUTS:-0}" = 1 ]; then
  rm -rf "$here/model"
  "$bin/spike-make-test-model" --format hf --out "$here/model"
  cd "$work"
  cp -r "$here/model" model
  "$bin/spike-translate" --import-llama model -o fp.mlir
  "$bin/spike-opt" fp.mlir --spike-insert-observers -o obs.mlir
  "$bin/spike-translate" --emit-plan obs.mlir --plan-tensors obs.safetensors \
    --tokenizer model -o obs.plan.json
  "$bin/spike-run" stats --plan obs.plan.json --text "$calib" --seq-len 32 \
    -o "$here/activation-stats.json"
  "$bin/spike-opt" obs.mlir --spike-quantize="stats=$here/activation-stats.json mse=true" -o qann.mlir
  "$bin/spike-opt" qann.mlir --convert-qnn-to-spike="timesteps=2" -o is.mlir
  "$bin/spike-translate" --emit-plan is.mlir --plan-tensors is.safetensors \
    --tokenizer model -o is.plan.json
  "$bin/spike-translate" --emit-plan qann.mlir --plan-tensors qann.safetensors \
    --tokenizer model -o qann.plan.json
  "$bin/spike-run" calibrate --plan is.plan.json --teacher qann \
    --text "$calib" --samples 4 --seq-len 16 \
    --epochs 2 -o "$here/calibration.json" > /dev/null 2>&1
  rm -f "$here"/calibration.layers.*
fi

# The goldens: the test's own commands, in a folder of relative paths.
rm -rf "$work/g" && mkdir -p "$work/g" && cd "$work/g"
cp -r "$here/model" "$here/activation-stats.json" "$here/calibration.json" .
sed -n 's/^RUN: //p' "$root/test/Tools/determinism.test" |
  sed -n '/^: golden-begin/,/^: golden-end/p' | grep -v '^:' |
  sed "s|%t|$work/g|g" > commands.sh
PATH=$bin:$PATH bash -euo pipefail commands.sh
rm -rf "$here/golden" && mkdir -p "$here/golden"
for f in *.mlir *.plan.json; do
  sed "s|$work/g/||g" "$f" > "$here/golden/$f"
done
sha256sum *.safetensors > "$here/golden/SHA256SUMS"
echo "regenerate: wrote $(ls "$here/golden" | wc -l) goldens to $here/golden"
