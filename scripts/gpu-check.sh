#!/usr/bin/env bash
# The CUDA checks, for a machine with a GPU, PyTorch's libtorch 2.x (pip's
# torch wheel) and nvcc but no MLIR: builds runtime/ alone against that
# libtorch (so the ATen glue and --device cuda exist), runs the CUDA kernel
# tests (CUDA == CPU, bit for bit) and the runtime tests, then compares one
# golden plan's logits on CUDA against the CPU.
#   bash scripts/gpu-check.sh [TORCH_DIR]   (default: python3 -c 'import torch')
# What the machine lacks can be carried in with the working tree from a
# Debian machine: nlohmann-json's headers and CMake config (EXTRA_PREFIX) and
# GoogleTest's sources (GTEST_SOURCE; pip's libtorch uses the old C++ ABI,
# so GoogleTest is built from source with it).
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_DIR=${1:-$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')}
BUILD=${BUILD_DIR:-build-gpu}
PREFIX="$TORCH_DIR${EXTRA_PREFIX:+;$EXTRA_PREFIX}"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || {
  echo "gpu-check: no GPU visible (nvidia-smi failed)" >&2; exit 1; }
cmake -S runtime -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCH:-90} \
  -DSPIKE_GTEST_SOURCE="${GTEST_SOURCE:-/usr/src/googletest}"
cmake --build "$BUILD" -j "$(nproc)"
export LD_LIBRARY_PATH="$TORCH_DIR/lib:${LD_LIBRARY_PATH:-}"
"$BUILD/SpikeCudaTests"
"$BUILD/SpikeRuntimeTests"
for level in is if; do
  "$BUILD/bin/spike-run" exec --plan test/Plan/golden/tiny-$level.plan.json \
    --tokens "1 5 7 2 9 3 11 4" --out "$BUILD/$level.cpu.safetensors" > /dev/null
  "$BUILD/bin/spike-run" exec --plan test/Plan/golden/tiny-$level.plan.json \
    --tokens "1 5 7 2 9 3 11 4" --device cuda --out "$BUILD/$level.cuda.safetensors" > /dev/null
  "$BUILD/bin/spike-run" diff "$BUILD/$level.cpu.safetensors" \
    "$BUILD/$level.cuda.safetensors" --expect close --tolerance 1e-4
done
echo "gpu-check: all CUDA checks passed"
