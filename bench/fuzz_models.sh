#!/usr/bin/env bash
# libFuzzer campaigns over the checkpoint and tokenizer readers (issue
# #20), under ASan and UBSan: GGUF (header, then every tensor dequantized),
# safetensors (header, then every tensor as f32), each seeded with valid
# files and the malformation corpus of
# test/Import/Inputs/malformed_containers.py; tokenizer.json and
# tokenizer.model (load, then encode and decode), seeded with the
# tokenizers of test/Tokenizer/Inputs. Prints
# per reader the executions, the corpus and the crashes (libFuzzer stops at
# the first; its input is kept in OUT).
#   bash bench/fuzz_models.sh [RUNS] [OUT]   (default 1000000, bench-out/fuzz-models)
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
OUT=${2:-bench-out/fuzz-models}
bash scripts/build-fuzzers.sh > /dev/null || exit 1
mkdir -p "$OUT/cases"
# The corpus files are written by the generator as it checks them; any
# command that fails is fine here, only the files are wanted.
python3 test/Import/Inputs/malformed_containers.py "$OUT/cases" \
  --gguf-cmd true --safetensors-cmd true > /dev/null || true
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
printf '%-12s %10s %8s %8s %s\n' reader executions corpus crashes seconds
status=0
for reader in ${READERS:-gguf safetensors tokenizer-json tokenizer-model}; do
  corpus=$OUT/corpus-$reader
  mkdir -p "$corpus" "$OUT/crashes-$reader"
  case $reader in
  gguf) cp "$OUT"/cases/gguf-*.gguf test/Import/Inputs/ggml-types.gguf "$corpus/" ;;
  safetensors) cp "$OUT"/cases/safetensors-*.safetensors \
                  test/Plan/golden/tiny.safetensors "$corpus/" ;;
  tokenizer-json) for f in test/Tokenizer/Inputs/cases/*/tok*.json test/Tokenizer/Inputs/tok*.json; do
                    cp "$f" "$corpus/"; done ;;
  tokenizer-model) python3 test/Tokenizer/Inputs/make_sp_model.py "$corpus/tiny.model" ;;
  esac
  start=$SECONDS
  "build-fuzz/fuzz-$reader" -runs="$RUNS" -max_len=65536 -seed=1 \
    -artifact_prefix="$OUT/crashes-$reader/" "$corpus" > "$OUT/$reader.log" 2>&1
  rc=$?
  runs=$(grep -o 'Done [0-9]* runs' "$OUT/$reader.log" | grep -o '[0-9]*' || echo "?")
  [ $rc -ne 0 ] && status=1
  printf '%-12s %10s %8s %8s %s\n' "$reader" "$runs" "$(ls "$corpus" | wc -l)" \
    "$(ls "$OUT/crashes-$reader" | wc -l)" "$((SECONDS - start))"
done
exit $status
