#!/usr/bin/env bash
# Issue #18's agreement bench: lm-evaluation-harness (the `spikec` model,
# docs/Python.md) against `spike-run zeroshot` on the first N items of each
# zero-shot task, item for item, one request per runtime call on both sides.
#   bash bench/lm_eval_agreement.sh [N=50] [PLAN...]
# PLANs default to the quickstart job's QANN, uncalibrated and calibrated
# IS plans (out/quickstart/plans). Needs the package (scripts/install-
# python.sh) and the tools. Environment: OUT (default out/lm-eval),
# SPIKEC_BIN (default build/bin), SPIKEC_DATA (default ../shared/data),
# VENV (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
shift || true
PLANS=("$@")
[ ${#PLANS[@]} -gt 0 ] || PLANS=(out/quickstart/plans/qann.plan.json
  out/quickstart/plans/is.plan.json out/quickstart/plans/is-calibrated.plan.json)
OUT=${OUT:-out/lm-eval}
export SPIKEC_BIN=${SPIKEC_BIN:-$PWD/build/bin}
DATA=${SPIKEC_DATA:-../shared/data}/zeroshot
PY=${VENV:-.venv}/bin/python
mkdir -p "$OUT"
tasks=$("$PY" -m spikec.tasks --data "$DATA" --out "$OUT/tasks" --limit "$N")
for plan in "${PLANS[@]}"; do
  name=$(basename "$plan" .plan.json)
  echo "== $name: spike-run zeroshot"
  /usr/bin/time -f "%e s" "$SPIKEC_BIN/spike-run" zeroshot --plan "$plan" \
    --data "$DATA" --limit "$N" --batch 1 --samples "$OUT/$name.spike-run.jsonl" \
    --json "$OUT/$name.spike-run.json" 2>&1 | grep -v "^spike-run: kernels"
  echo "== $name: lm_eval --model spikec"
  rm -rf "$OUT/$name.lm-eval"
  /usr/bin/time -f "%e s" "$PY" -m spikec.lm_eval --model spikec \
    --model_args "plan=$plan,device=cpu" --include_path "$OUT/tasks" \
    --tasks "$tasks" --batch_size 1 --log_samples \
    --output_path "$OUT/$name.lm-eval" 2>&1 | grep -v "^spike-run: kernels" |
    tail -12
done
"$PY" bench/lm_eval_agreement.py "$OUT" "${PLANS[@]}"
