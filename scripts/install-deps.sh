#!/usr/bin/env bash
# Installs everything spikec needs on a fresh Debian 12 machine (run as root).
# Idempotent: packages already present are skipped by apt.
set -euo pipefail

PACKAGES=(
  # Compiler: MLIR/LLVM 22 (TableGen, lit, FileCheck, MLIR libraries).
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools
  # Runtime: libtorch (CPU) with a fast BLAS behind ATen.
  libtorch-dev libopenblas0-pthread
  # oneDNN: its sgemm runs the linear layers (run-time CPU dispatch).
  libdnnl-dev
  # Core-library and runtime dependencies.
  nlohmann-json3-dev libyaml-cpp-dev libsentencepiece-dev libcli11-dev libhdf5-dev libbz2-dev zlib1g-dev
  # Tests, benchmarks, build.
  libgtest-dev libbenchmark-dev ccache ninja-build cmake g++ python3
  # bench/snn_speed.sh's peak-memory figures (/usr/bin/time).
  time
  # libFuzzer targets of the exchange-file readers (scripts/build-fuzzers.sh).
  clang libclang-rt-dev
  # The NIR round-trip test: h5py and numpy for the `nir` package.
  python3-h5py python3-numpy python3-pip
  # The Python package (scripts/install-python.sh): Debian's torch, which
  # pairs with libtorch-dev, and what its extension and tests use.
  python3-torch python3-dev python3-venv python3-pybind11 pybind11-dev
  python3-pytest python3-matplotlib
  # The Unicode Character Database that runtime/core/lib/Text/
  # gen_unicode_tables.py reads (the committed tables came from it).
  unicode-data
)
# PyPI packages the tests use as references (pinned), beside the cache:
# Debian has neither. `nir` reads the NIR export; HF `tokenizers` is the
# oracle of the tokenizer conformance test.
NIR_VERSION=1.0.8
TOKENIZERS_VERSION=0.21.1
PYDIR=${SPIKEC_CACHE:-$HOME/.cache/spikec}/python

install_nir() {
  for pkg in "nir==$NIR_VERSION" "tokenizers==$TOKENIZERS_VERSION"; do
    [ -f "$PYDIR/${pkg%%==*}-${pkg##*==}.dist-info/METADATA" ] && continue
    echo "install-deps: installing $pkg into $PYDIR"
    # Debian's python3, where python3-h5py lives (not a pyenv one on PATH).
    /usr/bin/python3 -m pip install --quiet --no-deps --target "$PYDIR" \
      "$pkg" >&2
  done
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  install_nir
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_nir
echo "install-deps: done"
