#!/usr/bin/env bash
# libFuzzer campaigns over the exchange-file readers (issue #21), under ASan
# and UBSan: the JSON reader once per format, each from that format's seed
# files (plans with their tensor file, the calibration, statistics and
# firing-rate files, a chip program with its tables, a NIR manifest), and
# the chip description (YAML) reader. Prints per reader the executions, the corpus
# and the crashes (libFuzzer stops at the first; its input is kept in OUT).
#   bash bench/fuzz_exchange.sh [RUNS] [OUT]   (default 1000000, bench-out/fuzz)
#   READERS="plan chip-program" limits the readers.
set -uo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-1000000}
OUT=${2:-bench-out/fuzz}
bash scripts/build-fuzzers.sh > /dev/null || exit 1
mkdir -p "$OUT"
[ -f "$OUT/program/program.json" ] ||
  bash bench/make_chip_program.sh "$OUT/program" > /dev/null || exit 1
G=test/Plan/golden
declare -A seeds=(
  [plan]="$G/tiny-fp.plan.json $G/tiny-qann.plan.json $G/tiny-is.plan.json $G/tiny-if.plan.json"
  [calibration]="$G/tiny.calibration.json"
  [activation-stats]="$G/tiny.activation-stats.json"
  [firing-rates]="$G/tiny.firing-rates.json"
  [chip-program]="$OUT/program/program.json"
  [chip-description]="$(ls chips/*.yaml | tr '\n' ' ')"
  [nir-manifest]="test/Target/NIR/Inputs/tiny.manifest.json"
)
# Stand-ins for the manifest's graph files (only their signature is read).
mkdir -p "$OUT/nir"
for k in 0 1; do printf '\211HDF\r\n\032\n' > "$OUT/nir/tiny.$k.nir"; done
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
printf '%-18s %10s %8s %8s %s\n' reader executions corpus crashes seconds
status=0
for reader in ${READERS:-plan calibration activation-stats firing-rates chip-program nir-manifest chip-description}; do
  corpus=$OUT/corpus-$reader
  mkdir -p "$corpus" "$OUT/crashes-$reader"
  cp ${seeds[$reader]} "$corpus/"
  bin=build-fuzz/fuzz-exchange-json
  env=()
  [ $reader = chip-description ] && bin=build-fuzz/fuzz-chip-description
  [ $reader = chip-program ] && env=(SPIKE_FUZZ_ANCHOR="$OUT/program/program.json")
  [ $reader = nir-manifest ] && env=(SPIKE_FUZZ_ANCHOR="$OUT/nir/m.json")
  start=$SECONDS
  env "${env[@]}" "$bin" -runs="$RUNS" -max_len=65536 -seed=1 \
    -artifact_prefix="$OUT/crashes-$reader/" "$corpus" > "$OUT/$reader.log" 2>&1
  rc=$?
  runs=$(grep -o 'Done [0-9]* runs' "$OUT/$reader.log" | grep -o '[0-9]*' || echo "?")
  crashes=$(ls "$OUT/crashes-$reader" | wc -l)
  [ $rc -ne 0 ] && status=1
  printf '%-18s %10s %8s %8s %s\n' "$reader" "$runs" "$(ls "$corpus" | wc -l)" \
    "$crashes" "$((SECONDS - start))"
done
exit $status
