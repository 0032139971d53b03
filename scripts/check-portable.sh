#!/usr/bin/env bash
# The test suite's verdicts must not depend on the machine: runs README
# command 2 (scripts/test.sh) from a clean clone of HEAD three times, with
#   1. one thread,
#   2. two threads,
#   3. two threads with the BLAS held to an older instruction set
#      (OpenBLAS's Haswell kernel, oneDNN at most AVX2),
# and fails if any run has a failure. Developers run it before they stop;
# CI does not (it takes three suite runs).
#
#   bash scripts/check-portable.sh [--keep]     # --keep: leave the clone
set -uo pipefail
cd "$(dirname "$0")/.."
keep=0
[ "${1:-}" = "--keep" ] && keep=1

work=$(mktemp -d "${TMPDIR:-/tmp}/spikec-portable.XXXXXX")
echo "check-portable: clean clone of $(git rev-parse --short HEAD) in $work/src"
git clone --quiet --no-hardlinks . "$work/src" || exit 1
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "check-portable: note: uncommitted changes are not in the clone"
fi

# The shared data folder sits beside the repository; the clone needs it too.
[ -d ../shared ] && ln -s "$(cd ../shared && pwd)" "$work/shared"

configs=(
  "1 thread|OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1"
  "2 threads|OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2"
  "2 threads, BLAS at Haswell/AVX2|OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OPENBLAS_CORETYPE=Haswell DNNL_MAX_CPU_ISA=AVX2 ONEDNN_MAX_CPU_ISA=AVX2"
)
status=0
summary=()
for c in "${configs[@]}"; do
  name=${c%%|*}
  vars=${c#*|}
  log="$work/${name//[^A-Za-z0-9]/_}.log"
  echo "== check-portable: $name ($vars); log $log"
  (cd "$work/src" && env $vars bash scripts/test.sh) >"$log" 2>&1
  rc=$?
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  [ -n "$line" ] || line="no summary (exit $rc)"
  [ "$rc" -eq 0 ] || { status=1; grep -E '^(FAIL|  FAIL|[0-9]+ - .*Failed)|\*\*\*Failed' "$log" | head -20; }
  summary+=("$name: $line")
  echo "   $line"
done

echo
echo "check-portable summary ($(git rev-parse --short HEAD)):"
for s in "${summary[@]}"; do echo "  $s"; done
[ "$keep" -eq 1 ] || { [ "$status" -eq 0 ] && rm -rf "$work"; }
[ "$status" -eq 0 ] && echo "check-portable: passed" || echo "check-portable: FAILED (logs in $work)"
exit "$status"
