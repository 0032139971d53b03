#!/usr/bin/env bash
# The mutation campaign (issue #21) at scale: N seeded mutants per format
# through the tool that reads it (scripts/mutation-campaign.py), with the
# counts per outcome: error, accepted, noisy, crash, hang, partial output.
#   bash bench/mutation_campaign.sh [N] [OUT]   (default 2000, bench-out/mutants)
set -uo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
OUT=${2:-bench-out/mutants}
B=${SPIKE_BIN:-build/bin}
mkdir -p "$OUT"
cp test/Plan/golden/* "$OUT/"
[ -f "$OUT/program/program.json" ] ||
  bash bench/make_chip_program.sh "$OUT/program" > /dev/null || exit 1
M="python3 scripts/mutation-campaign.py --count $N --timeout 60"
status=0
$M --format plan-is --file "$OUT/tiny-is.plan.json" --seed 11 \
  --cmd "$B/spike-run validate {}" --then "$B/spike-run exec --plan {} --tokens '1 2 3'" || status=1
$M --format plan-if --file "$OUT/tiny-if.plan.json" --seed 12 \
  --cmd "$B/spike-run validate {}" --then "$B/spike-run exec --plan {} --tokens '1 2 3'" || status=1
for f in calibration activation-stats firing-rates; do
  $M --format $f --file "$OUT/tiny.$f.json" --seed 13 --cmd "$B/spike-run validate {}" || status=1
done
$M --format chip-program --file "$OUT/program/program.json" --seed 14 \
  --cmd "$B/spike-chipsim {} --inputs $OUT/program/trace.safetensors --check -o $OUT/sim.safetensors" \
  --out-file "$OUT/sim.safetensors" || status=1
exit $status
