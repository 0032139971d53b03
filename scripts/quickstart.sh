#!/usr/bin/env bash
# README command 1: install, build, and run the main job on the example IR.
# (Until the end-to-end driver lands, the main job is the spike pipeline on
# examples/: parse, verify, canonicalize and check the QANN graph, list its
# quantizer sites, and validate the golden plans the runtime executes.)
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
echo "== spike-translate: quantizer site table"
$BIN/spike-translate --emit-site-table "$OUT/tiny-llama.qann.mlir" \
  -o "$OUT/sites.json"
echo "== spike-run: validate the golden plans"
$BIN/spike-run validate test/Plan/golden/*.json

sites=$(grep -c '"site"' "$OUT/sites.json")
ops=$(grep -c ' = qnn\.' "$OUT/tiny-llama.qann.mlir")
echo
printf '%-28s %s\n' "artifact" "summary"
printf '%-28s %s\n' "$OUT/tiny-llama.qann.mlir" "$ops qnn ops, verified"
printf '%-28s %s\n' "$OUT/sites.json" "$sites quantizer sites, unique"
