#!/usr/bin/env bash
# The GPU check: builds runtime/ alone against a CUDA-enabled libtorch and
# runs, each as a step that is run whatever the others gave:
#   device       nvidia-smi and the CUDA runtime see a usable GPU
#   configure    cmake -S runtime, with the carried dependencies
#   build        spike-run, spike-make-test-model and the unit tests, the
#                CUDA tests among them
#   cpu-tests    the runtime and core unit tests on the CPU
#   cuda-tests   the CUDA kernel sweeps and whole-plan comparisons
#   plan-diff    spike-run exec of the golden plans, CPU against --device cuda
#   bench        scripts/gpu-bench.sh (tokens/s and joules per token)
# and ends with one line per step and the number that failed. Results go
# under $OUT (the device tool brings that folder back), else build-gpu/out.
#
#   bash scripts/gpu-check.sh [--dry-run] [--no-bench] [--torch DIR]
#
# --torch DIR: the torch package folder (default: python3's `import torch`,
#   else ~/.cache/spikec/torch-gpu/torch from prepare-gpu-deps.sh --torch,
#   else Debian's CPU-only libtorch, which builds the CUDA kernels without
#   the ATen glue).
# --dry-run: for a machine without a GPU: builds and runs the CPU steps,
#   checks that the CUDA tests report "no CUDA device", and lists each
#   device step as not run.
# SPIKE_REQUIRE_GPU=1 makes a missing or unusable device a failure (the
#   device steps then fail instead of being skipped).
# SPIKE_DEPS_DIR: the carried dependencies (default .gpu-deps, made by
#   scripts/prepare-gpu-deps.sh on a Debian machine).
# GPU_CHECK_BUDGET (seconds, default 480): the check's time on the device;
# each step has its own limit inside it, and the bench runs only with at
# least 90 s left, limited to what is left. Give the device tool a
# timeout_s above it (e.g. 560).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

DRY_RUN=0 BENCH=1 TORCH_DIR=${TORCH_DIR:-}
BUDGET=${GPU_CHECK_BUDGET:-480}
left() { echo $((BUDGET - SECONDS)); }
while [ $# -gt 0 ]; do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    --no-bench) BENCH=0 ;;
    --torch) TORCH_DIR=${2:?--torch needs a folder}; shift ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

BUILD=${BUILD_DIR:-build-gpu}
RESULTS=${OUT:-$BUILD/out}
mkdir -p "$RESULTS" "$BUILD"
LOG="$RESULTS/gpu-check.log"
: > "$LOG"
DEPS=${SPIKE_DEPS_DIR:-$ROOT/.gpu-deps}
JOBS=$(nproc)

if [ -z "$TORCH_DIR" ]; then
  TORCH_DIR=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))' 2>/dev/null)
fi
if [ -z "$TORCH_DIR" ] && [ -d "$HOME/.cache/spikec/torch-gpu/torch" ]; then
  TORCH_DIR=$HOME/.cache/spikec/torch-gpu/torch
fi
# Libraries a libtorch from prepare-gpu-deps.sh --torch loads (and, on a
# machine without a driver, the stub that makes the CUDA runtime report so).
TORCH_EXTRA_LIB=$(dirname "${TORCH_DIR:-/nonexistent}")/lib
export LD_LIBRARY_PATH="${TORCH_DIR:+$TORCH_DIR/lib:}${TORCH_EXTRA_LIB}:${LD_LIBRARY_PATH:-}"

RESULTS_OF=()
record() { # name status seconds note
  RESULTS_OF+=("$(printf '%-11s %-8s %5ss  %s' "$1" "$2" "$3" "$4")")
  echo "gpu-check: $1: $2 (${3}s) $4" | tee -a "$LOG"
}
# run_step NAME LIMIT_SECONDS COMMAND...: runs it with a time limit, its
# output in $RESULTS/NAME.log, and records pass or FAIL.
run_step() {
  local name=$1 limit=$2; shift 2
  local start=$SECONDS
  echo "== $name: $*" | tee -a "$LOG"
  timeout --kill-after=10 "$limit" "$@" > "$RESULTS/$name.log" 2>&1
  local rc=$?
  tail -n 5 "$RESULTS/$name.log" | sed 's/^/   /' | tee -a "$LOG"
  local note=""
  [ $rc -eq 124 ] && note="timed out after ${limit}s"
  [ $rc -ne 0 ] && [ -z "$note" ] && note="exit $rc; see $name.log"
  if [ $rc -eq 0 ]; then record "$name" pass $((SECONDS - start)) ""
  else record "$name" FAIL $((SECONDS - start)) "$note"; fi
  return $rc
}
not_run() { record "$1" "not run" 0 "$2"; }

# --- device -----------------------------------------------------------------
HAVE_GPU=0
if [ $DRY_RUN -eq 1 ]; then
  not_run device "dry run"
elif nvidia-smi --query-gpu=name,memory.total,driver_version,power.limit \
    --format=csv > "$RESULTS/device.csv" 2>&1; then
  HAVE_GPU=1
  record device pass 0 "$(sed -n 2p "$RESULTS/device.csv")"
elif [ "${SPIKE_REQUIRE_GPU:-0}" = 1 ]; then
  record device FAIL 0 "nvidia-smi: $(head -n 1 "$RESULTS/device.csv")"
else
  not_run device "no GPU (nvidia-smi: $(head -n 1 "$RESULTS/device.csv")): a dry run"
  DRY_RUN=1
fi

# --- configure and build ----------------------------------------------------
cmake_args=(-S runtime -B "$BUILD" -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCH:-90}" -DSPIKE_REQUIRE_TESTS=ON
  # What the GPU machine lacks is built from the carried folder here too,
  # so that a dry run exercises the device's build.
  -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON -DCMAKE_DISABLE_FIND_PACKAGE_BZip2=ON
  -DCMAKE_DISABLE_FIND_PACKAGE_yaml-cpp=ON -DCMAKE_DISABLE_FIND_PACKAGE_HDF5=ON
  -DSPIKE_ENABLE_ONEDNN=OFF)
[ -n "$TORCH_DIR" ] && cmake_args+=(-DCMAKE_PREFIX_PATH="$TORCH_DIR")
# The linker looks for libtorch_cuda's own libraries there too.
[ -d "$TORCH_EXTRA_LIB" ] &&
  cmake_args+=(-DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$TORCH_EXTRA_LIB")
[ -d "$DEPS/src" ] && cmake_args+=(-DSPIKE_DEPS_DIR="$DEPS")
command -v ninja > /dev/null && cmake_args+=(-G Ninja)
BUILT=0
CORE_TESTS="SpikeSupportTests SpikeNeuronTests SpikeModelIOTests SpikeFormatsTests SpikeTextTests SpikePlotTests"
if run_step configure 300 cmake "${cmake_args[@]}" &&
   run_step build 420 cmake --build "$BUILD" -j "$JOBS" --target spike-run \
     spike-make-test-model SpikeRuntimeTests $CORE_TESTS \
     $(grep -qE 'CUDA kernels (with|built)' "$RESULTS/configure.log" && echo SpikeCudaTests); then
  BUILT=1
  grep -q 'ATen glue' "$RESULTS/configure.log" && GLUE=1 || GLUE=0
  # The chip-description tests exist where yaml-cpp does (not old-ABI builds).
  cmake --build "$BUILD" --target SpikeChipTests > /dev/null 2>&1 &&
    CORE_TESTS="$CORE_TESTS SpikeChipTests"
else
  [ -f "$RESULTS/build.log" ] || not_run build "configure failed"
fi

# --- CPU steps --------------------------------------------------------------
if [ $BUILT -eq 1 ]; then
  run_step cpu-tests 180 bash -c "'$BUILD/SpikeRuntimeTests' &&
    for t in $CORE_TESTS; do '$BUILD'/core/unittests/\$t || exit 1; done"
else
  not_run cpu-tests "not built"
fi

# --- device steps -----------------------------------------------------------
if [ $BUILT -eq 0 ]; then
  for s in cuda-tests plan-diff bench; do not_run $s "not built"; done
elif [ ! -x "$BUILD/SpikeCudaTests" ]; then
  record cuda-tests FAIL 0 "SpikeCudaTests was not built (no nvcc?)"
  not_run plan-diff "no CUDA build"; not_run bench "no CUDA build"
elif [ $DRY_RUN -eq 1 ]; then
  # Built here; every test must skip itself for want of a device.
  run_step cuda-tests-skip 120 bash -c "'$BUILD/SpikeCudaTests' > '$RESULTS/cuda-skip.txt' 2>&1;
    rc=\$?; cat '$RESULTS/cuda-skip.txt'; [ \$rc -eq 0 ] &&
    grep -q 'no CUDA device' '$RESULTS/cuda-skip.txt' &&
    ! grep -q '^\[  PASSED  \] [1-9]' '$RESULTS/cuda-skip.txt'"
  not_run cuda-tests "dry run: no device"
  not_run plan-diff "dry run: no device"
  not_run bench "dry run: no device"
else
  export SPIKE_REQUIRE_GPU=${SPIKE_REQUIRE_GPU:-1}
  run_step cuda-tests 240 "$BUILD/SpikeCudaTests" \
    --gtest_output=xml:"$RESULTS/cuda-tests.xml"
  if [ "${GLUE:-0}" -eq 1 ]; then
    plan_diff() {
      local tokens="1 5 7 2 9 3 11 4"
      for level in qann is if; do
        "$BUILD/bin/spike-run" exec --plan test/Plan/golden/tiny-$level.plan.json \
          --tokens "$tokens" --out "$BUILD/$level.cpu.safetensors" > /dev/null &&
        "$BUILD/bin/spike-run" exec --plan test/Plan/golden/tiny-$level.plan.json \
          --tokens "$tokens" --device cuda --out "$BUILD/$level.cuda.safetensors" &&
        "$BUILD/bin/spike-run" diff "$BUILD/$level.cpu.safetensors" \
          "$BUILD/$level.cuda.safetensors" --expect close --tolerance 1e-4 || return 1
      done
    }
    export -f plan_diff; export BUILD
    run_step plan-diff 120 bash -c plan_diff
    if [ $BENCH -eq 1 ] && [ "$(left)" -ge 90 ]; then
      run_step bench $(($(left) - 10)) bash scripts/gpu-bench.sh "$BUILD" "$RESULTS"
    elif [ $BENCH -eq 1 ]; then
      not_run bench "$(left) s left of the ${BUDGET} s budget"
    else
      not_run bench "--no-bench"
    fi
  else
    not_run plan-diff "libtorch is CPU-only: no --device cuda"
    not_run bench "libtorch is CPU-only: no --device cuda"
  fi
fi

# --- summary ----------------------------------------------------------------
failed=0
for r in "${RESULTS_OF[@]}"; do [[ $r == *" FAIL "* ]] && failed=$((failed + 1)); done
{
  echo
  echo "gpu-check summary ($( [ $DRY_RUN -eq 1 ] && echo dry run || echo device run ), libtorch ${TORCH_DIR:-system}):"
  printf '  %s\n' "${RESULTS_OF[@]}"
  echo "gpu-check: $failed step(s) failed"
} | tee -a "$LOG" > "$RESULTS/summary.txt"
cat "$RESULTS/summary.txt"
[ "$failed" -eq 0 ]
