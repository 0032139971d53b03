#!/usr/bin/env bash
# FP numerics of the imported SmolLM2-135M against an independent reference
# (bench/fp_reference.py: numpy on llama.cpp's conventions). Reports the
# largest logit difference on three prompts and both perplexities on the
# first N tokens of WikiText-2 test (non-overlapping 512-token chunks).
#   bash bench/fp_check.sh [N=16384]        (needs: pip install numpy gguf tokenizers)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-16384}
DATA=${SPIKEC_DATA:-../shared/data}
OUT=${OUT:-out/fp_check}
B=build/bin
mkdir -p "$OUT"
GGUF=$(bash scripts/fetch-smollm2.sh)
$B/spike-translate --import-llama "$GGUF" -o "$OUT/fp.mlir"
$B/spike-translate --emit-plan "$OUT/fp.mlir" --plan-tensors "$OUT/fp.plan.safetensors" \
  --tokenizer "$GGUF" -o "$OUT/fp.plan.json"
python3 bench/fp_reference.py --gguf "$GGUF" --text "$DATA/wikitext-2/test.txt" \
  --out "$OUT/ref" --tokens "$N" > "$OUT/reference.log"
for i in 0 1 2; do
  ids=$(python3 -c "import json;print(' '.join(map(str,json.load(open('$OUT/ref/reference.json'))['prompts'][$i]['ids'])))")
  $B/spike-run exec --plan "$OUT/fp.plan.json" --tokens "$ids" --out "$OUT/prompt$i.logits" > /dev/null
  $B/spike-run diff "$OUT/ref/prompt$i.logits" "$OUT/prompt$i.logits" --expect close --tolerance 1e-3
done
$B/spike-run eval --plan "$OUT/fp.plan.json" --text "$DATA/wikitext-2/test.txt" \
  --tokens "$N" --seq-len 512 --batch 2 --json "$OUT/spikec.json" | grep -E "perplexity|tokens/s"
python3 - "$OUT" <<'PY'
import json, sys
ref = json.load(open(sys.argv[1] + "/ref/reference.json"))
ours = json.load(open(sys.argv[1] + "/spikec.json"))
print("reference perplexity %.4f, spikec %.4f (%d tokens)" %
      (ref["perplexity"], ours["perplexity"], ref["tokens"]))
PY
