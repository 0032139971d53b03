#!/usr/bin/env bash
# Installs everything spikec needs on a fresh Debian 12 machine (run as root).
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

PACKAGES=(
  # Compiler: MLIR/LLVM 22 (TableGen, lit, FileCheck, MLIR libraries).
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  # Runtime: libtorch (CPU) with a fast BLAS behind ATen.
  libtorch-dev libopenblas0-pthread
  # Core-library and runtime dependencies.
  nlohmann-json3-dev libyaml-cpp-dev libsentencepiece-dev libhdf5-dev libbz2-dev
  # Tests, benchmarks, build.
  libgtest-dev libbenchmark-dev ccache ninja-build cmake g++ python3
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
