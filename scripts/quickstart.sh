#!/usr/bin/env bash
# README command 1: install, build, and run the main job on the example IR.
# (Until the end-to-end driver lands, the main job is the spike pipeline on
# examples/: verify the QANN graph, convert it to IS neurons and lower it to
# binary IF neurons, list its quantizer sites, and validate the golden plans
# the runtime executes.)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
BIN=build/bin
OUT=${OUT:-out/quickstart}
mkdir -p "$OUT"

echo "== spike-opt: verify, canonicalize, check sites"
$BIN/spike-opt examples/tiny-llama.qann.mlir -canonicalize -spike-verify-sites \
  -o "$OUT/tiny-llama.qann.mlir"
echo "== spike-opt: QANN -> IS -> binary IF (spike-pipeline, T=2, W6A6)"
$BIN/spike-opt "$OUT/tiny-llama.qann.mlir" \
  --convert-qnn-to-spike="timesteps=2 bits=6" -o "$OUT/tiny-llama.is.mlir"
$BIN/spike-opt "$OUT/tiny-llama.qann.mlir" \
  --spike-pipeline="timesteps=2 bits=6 schedule=integrate-then-fire" \
  -o "$OUT/tiny-llama.if.mlir"
echo "== spike-translate: quantizer site table"
$BIN/spike-translate --emit-site-table "$OUT/tiny-llama.qann.mlir" \
  -o "$OUT/sites.json"
echo "== spike-run: validate the golden plans"
$BIN/spike-run validate test/Plan/golden/*.json

sites=$(grep -c '"site"' "$OUT/sites.json")
ops=$(grep -c ' = qnn\.' "$OUT/tiny-llama.qann.mlir")
echo
printf '%-36s %s\n' "artifact" "summary"
printf '%-36s %s\n' "$OUT/tiny-llama.qann.mlir" "$ops qnn ops, verified"
printf '%-36s %s\n' "$OUT/tiny-llama.is.mlir" "$(grep -c 'spike.is_neuron' "$OUT/tiny-llama.is.mlir") IS neurons (T=2, L=32)"
printf '%-36s %s\n' "$OUT/tiny-llama.if.mlir" "$(grep -c 'spike.if_neuron' "$OUT/tiny-llama.if.mlir") binary IF neurons (64 sub-steps)"
printf '%-36s %s\n' "$OUT/sites.json" "$sites quantizer sites, unique"
