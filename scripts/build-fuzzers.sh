#!/usr/bin/env bash
# Builds the libFuzzer targets of the exchange-file readers
# (runtime/core/fuzz) with clang, ASan and UBSan into build-fuzz/, and with
# --smoke runs each briefly on its seed files, so that CI keeps them
# compiling and running. bench/fuzz_exchange.sh runs the long campaigns.
#   bash scripts/build-fuzzers.sh [--smoke]      FUZZ_BUILD_DIR, CXX
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
CC=${FUZZ_CC:-clang} CXX=${FUZZ_CXX:-clang++}
command -v "$CXX" > /dev/null ||
  { echo "build-fuzzers: no $CXX (apt-get install clang libclang-rt-dev)" >&2; exit 1; }
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/spikec-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=1
if [ ! -f "$BUILD/build.ninja" ]; then
  launcher=()
  command -v ccache > /dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache
                                             -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  mkdir -p "$BUILD"
  CC=$CC CXX=$CXX cmake -G Ninja -S runtime/core/fuzz -B "$BUILD" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" > "$BUILD/configure.log" 2>&1 ||
    { cat "$BUILD/configure.log" >&2; exit 1; }
fi
cmake --build "$BUILD" -j "${JOBS:-$(nproc)}" --target fuzz-exchange-json \
  fuzz-chip-description fuzz-gguf fuzz-safetensors fuzz-tokenizer-json \
  fuzz-tokenizer-model
[ "${1:-}" = --smoke ] || exit 0

# A short run per reader on copies of its seeds (libFuzzer adds to the
# corpus folder it is given).
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
for f in test/Plan/golden/*.json; do
  mkdir -p "$seeds/json" && cp "$f" "$seeds/json/"
done
mkdir -p "$seeds/chip" && cp chips/*.yaml "$seeds/chip/"
mkdir -p "$seeds/gguf" && cp test/Import/Inputs/ggml-types.gguf "$seeds/gguf/"
mkdir -p "$seeds/safetensors" && cp test/Plan/golden/tiny.safetensors "$seeds/safetensors/"
mkdir -p "$seeds/tokenizer-json"
for f in test/Tokenizer/Inputs/cases/*/tok*.json test/Tokenizer/Inputs/tok*.json; do cp "$f" "$seeds/tokenizer-json/"; done
mkdir -p "$seeds/tokenizer-model" &&
  python3 test/Tokenizer/Inputs/make_sp_model.py "$seeds/tokenizer-model/tiny.model"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1
"$BUILD/fuzz-exchange-json" -runs=3000 -max_len=16384 -seed=1 \
  "$seeds/json" > "$BUILD/smoke-json.log" 2>&1 ||
  { tail -n 30 "$BUILD/smoke-json.log" >&2; exit 1; }
"$BUILD/fuzz-chip-description" -runs=1000 -max_len=8192 -seed=1 \
  "$seeds/chip" > "$BUILD/smoke-chip.log" 2>&1 ||
  { tail -n 30 "$BUILD/smoke-chip.log" >&2; exit 1; }
for model in gguf safetensors tokenizer-json tokenizer-model; do
  "$BUILD/fuzz-$model" -runs=2000 -max_len=65536 -seed=1 "$seeds/$model" \
    > "$BUILD/smoke-$model.log" 2>&1 ||
    { tail -n 30 "$BUILD/smoke-$model.log" >&2; exit 1; }
done
runs() { grep -o 'Done [0-9]* runs' "$BUILD/smoke-$1.log" | grep -o '[0-9]*'; }
echo "build-fuzzers: smoke runs passed (json $(runs json), chip $(runs chip), gguf $(runs gguf), safetensors $(runs safetensors), tokenizer.json $(runs tokenizer-json), tokenizer.model $(runs tokenizer-model) runs)"
