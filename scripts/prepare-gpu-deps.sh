#!/usr/bin/env bash
# Makes the folder of dependencies that a runtime build needs on a machine
# with no package registry (the GPU machine: PyTorch, nvcc and CMake, but no
# nlohmann-json, GoogleTest, zlib or bzip2), from this Debian machine's
# packages:
#   include/nlohmann, share/cmake/nlohmann_json   nlohmann-json3-dev
#   include/CLI, share/cmake/CLI11                libcli11-dev
#   src/googletest                                googletest (sources)
#   src/zlib, src/bzip2                           Debian's source packages
# The runtime's CMake takes it as -DSPIKE_DEPS_DIR (runtime/cmake/
# BundledDependencies.cmake); it is git-ignored and travels with the
# working tree when named in the device tool's `carry`.
#   bash scripts/prepare-gpu-deps.sh [DIR]      (default: .gpu-deps)
#
# With --torch it instead unpacks the GPU machine's libtorch here (pip's
# torch wheel, TORCH_VERSION, default that machine's 2.11.0 for CUDA 13.0)
# with the CUDA libraries it loads that the CUDA toolkit lacks, and the
# driver stub as libcuda.so.1, so that `scripts/gpu-check.sh --dry-run`
# compiles and links the ATen CUDA glue and runs the CPU steps here:
#   bash scripts/prepare-gpu-deps.sh --torch [DIR] (default:
#        ~/.cache/spikec/torch-gpu); then gpu-check.sh --torch DIR
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "prepare-gpu-deps: $*" >&2; exit 1; }

if [ "${1:-}" = --torch ]; then
  DIR=${2:-$HOME/.cache/spikec/torch-gpu}
  TORCH_VERSION=${TORCH_VERSION:-2.11.0}
  CUDA_HOME=${CUDA_HOME:-/usr/local/cuda}
  [ -f "$CUDA_HOME/lib64/stubs/libcuda.so" ] ||
    fail "no driver stub in $CUDA_HOME/lib64/stubs (the CUDA toolkit)"
  wheels="$DIR.wheels"
  mkdir -p "$wheels"
  # The libraries libtorch_cuda.so needs beyond those of the CUDA toolkit.
  python3 -m pip download -q --no-deps --only-binary=:all: -d "$wheels" \
    "torch==$TORCH_VERSION" nvidia-cusparselt-cu13 nvidia-nvshmem-cu13 \
    nvidia-cufile || fail "pip download of torch $TORCH_VERSION failed"
  rm -rf "$DIR.tmp" && mkdir -p "$DIR.tmp/lib"
  trap 'rm -rf "$DIR.tmp"' EXIT
  python3 -m zipfile -e "$wheels"/torch-"$TORCH_VERSION"-*.whl "$DIR.tmp/wheel"
  mv "$DIR.tmp/wheel/torch" "$DIR.tmp/torch" && rm -rf "$DIR.tmp/wheel"
  for w in "$wheels"/nvidia_*.whl; do
    python3 -m zipfile -e "$w" "$DIR.tmp/nv"
  done
  find "$DIR.tmp/nv" -name 'lib*.so*' -exec mv {} "$DIR.tmp/lib/" \;
  rm -rf "$DIR.tmp/nv"
  ln -s "$CUDA_HOME/lib64/stubs/libcuda.so" "$DIR.tmp/lib/libcuda.so.1"
  rm -rf "$DIR" && mv "$DIR.tmp" "$DIR"
  echo "prepare-gpu-deps: libtorch $TORCH_VERSION in $DIR/torch, its extra" \
       "CUDA libraries and the driver stub in $DIR/lib"
  exit 0
fi

DIR=${1:-.gpu-deps}

for f in /usr/include/nlohmann/json.hpp /usr/share/cmake/nlohmann_json \
         /usr/include/CLI/CLI.hpp /usr/share/cmake/CLI11 \
         /usr/src/googletest/CMakeLists.txt; do
  [ -e "$f" ] || fail "$f is missing: apt-get install nlohmann-json3-dev libcli11-dev googletest"
done
command -v apt-get > /dev/null || fail "needs apt-get (a Debian machine)"

rm -rf "$DIR.tmp"
mkdir -p "$DIR.tmp/include" "$DIR.tmp/share/cmake" "$DIR.tmp/src"
cp -r /usr/include/nlohmann "$DIR.tmp/include/"
cp -r /usr/share/cmake/nlohmann_json "$DIR.tmp/share/cmake/"
cp -r /usr/include/CLI "$DIR.tmp/include/"
cp -r /usr/share/cmake/CLI11 "$DIR.tmp/share/cmake/"
cp -r /usr/src/googletest "$DIR.tmp/src/googletest"
rm -rf "$DIR.tmp/src/googletest/googlemock/docs" "$DIR.tmp/src/googletest/docs"

# zlib and bzip2 from Debian's source packages (deb-src of the release this
# machine runs), fetched with a private apt state so that /etc is untouched.
apt_dir=$(mktemp -d)
trap 'rm -rf "$apt_dir" "$DIR.tmp"' EXIT
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
[ -n "$codename" ] || fail "cannot read the Debian release from /etc/os-release"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
echo "deb-src $mirror $codename main" > "$apt_dir/sources.list"
mkdir -p "$apt_dir/lists/partial"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
          -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$apt_dir/lists" -o APT::Sandbox::User=root)
apt-get -qq "${apt_opts[@]}" update ||
  fail "apt-get update of $mirror $codename (deb-src) failed"
(cd "$apt_dir" && apt-get -qq "${apt_opts[@]}" source --download-only zlib bzip2) ||
  fail "apt-get source zlib bzip2 failed"
for pkg in zlib bzip2; do
  orig=$(ls "$apt_dir"/${pkg}_*.orig.tar.* | head -n 1)
  [ -f "$orig" ] || fail "no original tarball of $pkg was downloaded"
  mkdir -p "$DIR.tmp/src/$pkg"
  tar -xf "$orig" -C "$DIR.tmp/src/$pkg" --strip-components=1
  # Sources, headers and the licence are all the build needs.
  find "$DIR.tmp/src/$pkg" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
  find "$DIR.tmp/src/$pkg" -maxdepth 1 -type f ! -name '*.[ch]' \
    ! -name 'LICENSE*' ! -name README -delete
  echo "$pkg: $(basename "$orig")" >> "$DIR.tmp/VERSIONS"
done
[ -f "$DIR.tmp/src/zlib/zlib.h" ] && [ -f "$DIR.tmp/src/bzip2/bzlib.h" ] ||
  fail "the zlib or bzip2 sources lack their headers"
{
  echo "nlohmann-json: $(dpkg-query -W -f='${Version}' nlohmann-json3-dev 2>/dev/null || echo '?')"
  echo "googletest: $(dpkg-query -W -f='${Version}' googletest 2>/dev/null || echo '?')"
} >> "$DIR.tmp/VERSIONS"

rm -rf "$DIR"
mv "$DIR.tmp" "$DIR"
echo "prepare-gpu-deps: $DIR ($(du -sh "$DIR" | cut -f1)):"
sed 's/^/  /' "$DIR/VERSIONS"
