#!/usr/bin/env bash
# The GPU bench, run by scripts/gpu-check.sh on a GPU machine (no MLIR
# there: the plans come from spike-make-test-model, random weights):
#  1. tokens/s of SmolLM2-135M-shaped FP, QANN and SNN (IS, T = 2) plans
#     on --device cuda: `spike-run generate` (batch 1, KV-cache decode) and
#     `spike-run eval` at batch 1 and 16 (512-token chunks), with the board
#     power sampled by nvidia-smi every 100 ms during each run, giving
#     joules per token;
#  2. the time of one LLaMA-2-7B-shaped block's calibration at T = 8
#     (hidden 4096, 32 heads, FFN 11008; data-free samples from the FP
#     plan), one epoch, extrapolated to the 32 blocks and the paper preset's
#     10 epochs.
# Writes BENCH.md (a table) under RESULTS.
#   bash scripts/gpu-bench.sh BUILD_DIR RESULTS_DIR
# BENCH_DEVICE=cpu BENCH_SMALL=1 runs the same steps on small shapes on the
# CPU: a check of this script on a machine without a GPU (test/Tools/
# gpu-bench.test). SPIKE_BIN: where the tools are (default BUILD_DIR/bin).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:?usage: gpu-bench.sh BUILD_DIR RESULTS_DIR}
RESULTS=${2:?usage: gpu-bench.sh BUILD_DIR RESULTS_DIR}
BIN=${SPIKE_BIN:-$BUILD/bin}
RUN=$BIN/spike-run
MAKE=$BIN/spike-make-test-model
WORK=$BUILD/bench
mkdir -p "$WORK" "$RESULTS"
TABLE=$RESULTS/BENCH.md
DEVICE=${BENCH_DEVICE:-cuda}
status=0
if [ "${BENCH_SMALL:-0}" = 1 ]; then
  SMOL=(--layers 2 --hidden 64 --heads 4 --kv-heads 2 --ffn 128 --vocab 512)
  BLOCK=(--layers 1 --hidden 128 --heads 4 --kv-heads 4 --ffn 256)
  GEN=16 EVAL1=1024 EVAL16=8192 SAMPLES=4 SEQ=64
else
  SMOL=(--layers 30 --hidden 576 --heads 9 --kv-heads 3 --ffn 1536 --vocab 49152)
  BLOCK=(--layers 1 --hidden 4096 --heads 32 --kv-heads 32 --ffn 11008)
  GEN=128 EVAL1=4096 EVAL16=32768 SAMPLES=64 SEQ=1024
fi

# Text for eval: the repository's docs (byte-level tokens of the test
# tokenizer), repeated to give enough chunks.
for i in 1 2 3 4; do cat docs/*.md README.md; done > "$WORK/text.txt"

# Parenthesized: a bare "x > 0" would be awk output redirection to file "0".
calc() { awk "BEGIN { printf \"%.6f\", ($1) }"; } # no bc on the GPU machine

# measure NAME COMMAND...: runs COMMAND with nvidia-smi sampling the board
# power and memory; prints "wall-seconds mean-watts peak-MiB" on success.
measure() {
  local name=$1; shift
  nvidia-smi --query-gpu=power.draw,memory.used --format=csv,noheader,nounits \
    -lms 100 \
    > "$WORK/$name.power" 2> /dev/null &
  local sampler=$!
  local start end rc
  start=$(date +%s.%N)
  "$@" > "$WORK/$name.out" 2>&1
  rc=$?
  end=$(date +%s.%N)
  kill $sampler 2> /dev/null; wait $sampler 2> /dev/null
  if [ $rc -ne 0 ]; then
    echo "gpu-bench: $name failed (exit $rc):" >&2
    tail -n 5 "$WORK/$name.out" >&2
    return 1
  fi
  awk -F', *' -v wall="$(calc "$end - $start")" '
    $1 + 0 > 0 { s += $1; n++ } $2 + 0 > m { m = $2 + 0 }
    END { printf "%s %s %d\n", wall, n ? sprintf("%.1f", s / n) : "nan", m }' \
    "$WORK/$name.power"
}

echo "== SmolLM2-135M-shaped plans (random weights)"
"$MAKE" --format plan --out "$WORK/smol" --levels fp,qann,is --timesteps 2 \
  "${SMOL[@]}" ||
  { echo "gpu-bench: spike-make-test-model failed" >&2; exit 1; }

{
  echo "| plan | run | tokens | s | tokens/s | W (mean) | J/token | peak MiB |"
  echo "|---|---|---|---|---|---|---|---|"
} > "$TABLE"
for level in fp qann is; do
  plan=$WORK/smol/$level.plan.json
  tok=(--tokenizer "$WORK/smol/tokenizer.json" --device "$DEVICE")
  # Warm-up: CUDA context, cuBLAS handles, the caching allocator.
  "$RUN" eval --plan "$plan" --text "$WORK/text.txt" --tokens 512 "${tok[@]}" \
    > /dev/null 2>&1
  for run in gen1 eval1 eval16; do
    case $run in
      gen1) cmd=(generate --plan "$plan" --prompt "The spiking model" \
                 --max-tokens $GEN --top-k 1 "${tok[@]}") ;;
      eval1) cmd=(eval --plan "$plan" --text "$WORK/text.txt" --tokens $EVAL1 \
                  --batch 1 "${tok[@]}") ;;
      eval16) cmd=(eval --plan "$plan" --text "$WORK/text.txt" --tokens $EVAL16 \
                   --batch 16 "${tok[@]}") ;;
    esac
    if ! m=$(measure "$level-$run" "$RUN" "${cmd[@]}"); then
      echo "| $level | $run | failed | | | | | |" >> "$TABLE"; status=1; continue
    fi
    read -r wall watts mib <<< "$m"
    tokens=0 secs=0
    if [ $run = gen1 ]; then
      # "[P prompt + N generated tokens, ..., X s, ...]" (the 4-token
      # prompt's forward is in these seconds too).
      tokens=$(sed -n 's/.* + \([0-9]*\) generated tokens.*/\1/p' "$WORK/$level-$run.out")
      secs=$(sed -n 's/.*, \([0-9.]*\) s, .*/\1/p' "$WORK/$level-$run.out")
    else
      rate=$(sed -n 's/^tokens\/s *\([0-9.]*\)/\1/p' "$WORK/$level-$run.out")
      chunks=$(sed -n 's/.*(\([0-9]*\) chunks x \([0-9]*\) tokens).*/\1 \2/p' "$WORK/$level-$run.out")
      if [ -n "$chunks" ] && [ -n "$rate" ]; then
        tokens=$(( ${chunks% *} * ${chunks#* } ))
        secs=$(calc "$tokens / $rate")
      fi
    fi
    if [ "${tokens:-0}" -le 0 ] 2> /dev/null || [ -z "$secs" ] ||
       [ "$(calc "${secs:-0} > 0")" = 0.000000 ]; then
      echo "| $level | $run | no tokens: see $level-$run.out | | | | | |" >> "$TABLE"
      status=1; continue
    fi
    tps=$(calc "$tokens / $secs")
    jpt=n/a
    [ "$watts" != nan ] && jpt=$(awk "BEGIN { printf \"%.3f\", $watts * $wall / $tokens }")
    printf '| %s | %s | %d | %.2f | %.1f | %s | %s | %s |\n' "$level" "$run" \
      "$tokens" "$secs" "$tps" "$watts" "$jpt" "$mib" >> "$TABLE"
  done
done
echo "(J/token: mean board power x the command's wall time / tokens, so" \
     "it includes loading the plan.)" >> "$TABLE"

echo "== one LLaMA-2-7B-shaped block at T = 8: calibration time"
"$MAKE" --format plan --out "$WORK/7b" --levels fp,is --timesteps 8 \
  "${BLOCK[@]}" ||
  { echo "gpu-bench: spike-make-test-model (7B block) failed" >&2; exit 1; }
if m=$(measure calib7b "$RUN" calibrate --plan "$WORK/7b/is.plan.json" \
    --data-free --teacher-plan "$WORK/7b/fp.plan.json" \
    --tokenizer "$WORK/7b/tokenizer.json" --samples $SAMPLES --seq-len $SEQ \
    --epochs 1 --batch 4 --device "$DEVICE" -o "$WORK/7b/calib.json" \
    --report "$RESULTS/calib7b"); then
  read -r wall watts mib <<< "$m"
  # The block's own time: the CSV's "seconds" column.
  block=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") c = i }
                   NR == 2 && c { print $c }' "$RESULTS/calib7b.csv" 2> /dev/null)
  [ -n "$block" ] || block=$wall
  {
    echo
    printf '7B-shaped block, T = 8, %s x %s tokens, 1 epoch: %.1f s of calibration\n' \
      "$SAMPLES" "$SEQ" "$block"
    printf '(the command: %.1f s with the data-free sampling, %s W mean, peak %s MiB).\n' \
      "$wall" "$watts" "$mib"
    printf 'Extrapolated to LLaMA-2-7B (32 blocks) x 10 epochs: %.1f minutes.\n' \
      "$(calc "$block * 32 * 10 / 60")"
  } >> "$TABLE"
else
  echo "7B-shaped block calibration failed: see bench.log" >> "$TABLE"
  status=1
fi
cat "$TABLE"
exit $status
