#!/usr/bin/env bash
# Configures and builds spikec (compiler, runtime, tests) into build/.
#   BUILD_DIR (default build), JOBS (default: all cores), BUILD_TARGETS
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/spikec-ccache}
# Paths relative to the checkout, so that clones (scripts/check-portable.sh)
# share the cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=1
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    ${SPIKE_CMAKE_ARGS:-}
fi
# BUILD_TARGETS (e.g. "spikec spike-run"): build only these; default all.
targets=()
for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$BUILD_DIR" -j "$JOBS" "${targets[@]}"
