# Helpers of the bench scripts; source it after setting B (the tools' folder),
# OUT (the output folder) and TOK (the tokenizer).

timed() { # log command... : runs it, appends its wall time to the log
  local log=$1 t0
  shift
  t0=$(date +%s)
  "$@" > "$log" 2>&1
  echo "wall_s $(( $(date +%s) - t0 ))" >> "$log"
}

plan() { # name : OUT/name.mlir -> OUT/name.plan.json (+ .plan.safetensors)
  "$B/spike-translate" --emit-plan "$OUT/$1.mlir" --plan-tensors "$OUT/$1.plan.safetensors" \
    --tokenizer "$TOK" -o "$OUT/$1.plan.json"
}
