#!/usr/bin/env bash
# The pipeline at a real model's shape (issue #22): a random-weight model of
# the LLaMA-2-7B or LLaMA-3.1-8B shape (spike-make-test-model --shape)
# through import, statistics, W6A6 quantization, the weights stored as int8
# codes (spike-store-weight-codes), conversion to IS at T = 2,
# IF lowering, plan emission, evaluation, generation, calibration of one
# block (4 samples x 128 tokens) and chip mapping. Each
# stage's wall time, peak RSS (/usr/bin/time) and the output folder's size
# after it go to OUT/rows.tsv; the compile passes are timed alone with
# --mlir-timing (OUT/compile-timing.txt).
#   bash bench/scale.sh [SHAPE=llama2-7b | llama3.1-8b | tiny] [STAGES="model import observe stats quantize codes convert lower plans eval-qann eval-is2 generate calibrate map"]
# Stages run in the order given and leave markers in OUT/done/, so an
# interrupted run resumes; eval-fp (the FP model on the same tokens, the
# speed reference) runs only when named. Environment: SPIKEC_BIN (default build/bin),
# SPIKEC_DATA (default ../shared/data), OUT (default out/scale-SHAPE),
# FORMAT (hf: sharded bf16 safetensors, imported with --reference-checkpoint,
# or gguf: Q8_0; default hf),
# ROTATE (the importer's --rotate, default none), TOKENS (default 256),
# CHIP (default chips/loihi2-like.yaml), CHIPS (the system's chip count,
# which replaces the description's topology.chips; default 1152, Intel's
# Hala Point system of Loihi 2 chips, 2024: a 7B model needs hundreds of
# chips; the description's own count for SHAPE=tiny).
# The goals on a 24 GB, 2-core machine: peak RSS under 16 GB per stage,
# OUT under 40 GB, the compile passes under 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
SHAPE=${1:-llama2-7b}
STAGES=${2:-"model import observe stats quantize codes convert lower plans eval-qann eval-is2 generate calibrate map"}
B=${SPIKEC_BIN:-build/bin}
DATA=${SPIKEC_DATA:-../shared/data}
OUT=${OUT:-out/scale-$SHAPE}
FORMAT=${FORMAT:-hf}
ROTATE=${ROTATE:-none}
TOKENS=${TOKENS:-256}
CHIP=${CHIP:-chips/loihi2-like.yaml}
if [ "$SHAPE" = tiny ]; then CHIPS=${CHIPS-}; else CHIPS=${CHIPS-1152}; fi
mkdir -p "$OUT/done"
ROWS="$OUT/rows.tsv"
[ -f "$ROWS" ] || printf 'stage\twall_s\tpeak_rss_gb\tout_gb\n' > "$ROWS"
MODEL="$OUT/model"
[ "$FORMAT" = gguf ] && MODEL="$OUT/model.gguf"
TOK="$MODEL" # the test model carries its tokenizer (HF) or vocabulary (GGUF)

stage() { # name command... : runs once; records wall time, peak RSS, OUT size
  local name=$1
  shift
  [ -f "$OUT/done/$name" ] && return 0
  echo "== $name: $*" | tee -a "$OUT/scale.log"
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >> "$OUT/scale.log" 2>&1
  read -r wall rss < "$OUT/time.txt"
  local gb
  gb=$(du -sb "$OUT" | awk '{printf "%.1f", $1 / 1e9}')
  printf '%s\t%.1f\t%.2f\t%s\n' "$name" "$wall" "$(echo "$rss / 1048576" | bc -l)" "$gb" >> "$ROWS"
  touch "$OUT/done/$name"
}
plan() { # name : OUT/name.mlir -> OUT/name.plan.json, naming the weight file
  stage "plan-$1" "$B/spike-translate" --emit-plan "$OUT/$1.mlir" \
    --plan-tensors "$OUT/$1.plan.safetensors" --tokenizer "$TOK" \
    -o "$OUT/$1.plan.json"
}
SHAPE_FLAG=(--shape "$SHAPE")
[ "$SHAPE" = tiny ] && SHAPE_FLAG=() # the default test model: a smoke run

for s in $STAGES; do
  case $s in
  model)
    if [ "$FORMAT" = gguf ]; then
      stage model "$B/spike-make-test-model" --format gguf --dtype q8_0 \
        "${SHAPE_FLAG[@]}" --out "$MODEL"
    else
      stage model "$B/spike-make-test-model" --format hf --dtype bf16 \
        "${SHAPE_FLAG[@]}" --out "$MODEL"
    fi ;;
  import) # from safetensors, an overlay that reads unchanged matrices in place
    REF=()
    [ "$FORMAT" = hf ] && REF=(--reference-checkpoint)
    stage import "$B/spike-translate" --import-llama "$MODEL" \
      --weight-dtype bf16 --rotate "$ROTATE" "${REF[@]}" -o "$OUT/fp.mlir" ;;
  observe)
    stage observe "$B/spike-opt" "$OUT/fp.mlir" --spike-insert-observers \
      -o "$OUT/obs.mlir"
    plan obs ;;
  stats)
    stage stats "$B/spike-run" stats --plan "$OUT/obs.plan.json" \
      --text "$DATA/wikitext-2/valid.txt" --tokens "$TOKENS" \
      --seq-len "$TOKENS" -o "$OUT/stats.json" ;;
  quantize)
    stage quantize "$B/spike-opt" "$OUT/obs.mlir" \
      --spike-quantize="stats=$OUT/stats.json wbits=6 abits=6" \
      -o "$OUT/quantized.mlir" ;;
  codes) # the QANN, IS and IF plans share this file of int8 codes, an
    # overlay over the imported file (embedding, norms, lm_head)
    stage codes "$B/spike-opt" "$OUT/quantized.mlir" \
      --spike-store-weight-codes="out=$OUT/qann.safetensors overlay=true" \
      -o "$OUT/qann.mlir" ;;
  convert)
    stage convert "$B/spike-opt" "$OUT/qann.mlir" \
      --convert-qnn-to-spike="timesteps=2" -o "$OUT/is2.mlir" ;;
  lower)
    stage lower "$B/spike-opt" "$OUT/is2.mlir" --spike-lower-is-to-if \
      -o "$OUT/if2.mlir"
    # The compile passes alone (QANN IR -> IF IR), as one pipeline.
    [ -f "$OUT/compile-timing.txt" ] ||
      "$B/spike-opt" "$OUT/qann.mlir" --convert-qnn-to-spike="timesteps=2" \
        --spike-lower-is-to-if --mlir-timing -o /dev/null \
        2> "$OUT/compile-timing.txt" ;;
  plans) for p in fp qann is2 if2; do plan "$p"; done ;;
  eval-qann | eval-is2 | eval-fp) # eval-fp: the speed reference, not run
    # by default (the FP plan holds the whole bf16 model: 16.1 GB at 8B)
    stage "$s" "$B/spike-run" eval --plan "$OUT/${s#eval-}.plan.json" \
      --text "$DATA/wikitext-2/test.txt" --tokens "$TOKENS" \
      --seq-len "$TOKENS" --json "$OUT/$s.json" ;;
  generate)
    stage generate "$B/spike-run" generate --plan "$OUT/is2.plan.json" \
      --prompt "The tower is" --max-tokens 16 --top-k 1 ;;
  calibrate)
    stage calibrate "$B/spike-run" calibrate --plan "$OUT/is2.plan.json" \
      --teacher-plan "$OUT/fp.plan.json" --text "$DATA/wikitext-2/valid.txt" \
      --samples 4 --seq-len 128 --blocks 1 -o "$OUT/calibration.json" ;;
  map)
    # The description, with the system's chip count if CHIPS is set.
    if [ -n "$CHIPS" ]; then
      sed -E "s/^(  chips:).*/\1 $CHIPS  # CHIPS of bench\/scale.sh/" "$CHIP" \
        > "$OUT/chip.yaml"
    else
      cp "$CHIP" "$OUT/chip.yaml"
    fi
    stage map "$B/spike-opt" "$OUT/if2.mlir" \
      --spike-map-to-chip="chip=$OUT/chip.yaml report=$OUT/mapping.json" \
      -o "$OUT/mapped.mlir" ;;
  *) echo "bench/scale.sh: unknown stage '$s'" >&2; exit 2 ;;
  esac
done
column -t -s $'\t' "$ROWS"
