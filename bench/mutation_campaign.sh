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
# spike-run validate checks many files per call (--batch): its libtorch
# start-up (~0.6 s) is paid per batch, not per mutant.
V="--batch 100 --cmd"
status=0
$M --format plan-is --file "$OUT/tiny-is.plan.json" --seed 11 \
  $V "$B/spike-run validate {}" --then "$B/spike-run exec --plan {} --tokens '1 2 3'" || status=1
$M --format plan-if --file "$OUT/tiny-if.plan.json" --seed 12 \
  $V "$B/spike-run validate {}" --then "$B/spike-run exec --plan {} --tokens '1 2 3'" || status=1
for f in calibration activation-stats firing-rates; do
  $M --format $f --file "$OUT/tiny.$f.json" --seed 13 $V "$B/spike-run validate {}" || status=1
done
$M --format chip-program --file "$OUT/program/program.json" --seed 14 \
  --cmd "$B/spike-chipsim {} --inputs $OUT/program/trace.safetensors --check -o $OUT/sim.safetensors" \
  --out-file "$OUT/sim.safetensors" || status=1
# Chip descriptions: YAML; 'sources' maps ids the user chooses. An
# accepted one then maps the tiny IF model, which may not fit (a refusal),
# but must not crash or hang the mapper.
for c in chips/*.yaml; do
  cp "$c" "$OUT/"
  $M --format "chip-description $(basename "$c")" --file "$OUT/$(basename "$c")" \
    --seed 15 --open /sources $V "$B/spike-run validate {}" --then-may-refuse \
    --then "$B/spike-opt $OUT/program/if.mlir --spike-map-to-chip=chip={} -o /dev/null" || status=1
done
# The NIR manifest, with stand-ins for its graph files (only their HDF5
# signature is read).
cp test/Target/NIR/Inputs/tiny.manifest.json "$OUT/"
for k in 0 1; do printf '\211HDF\r\n\032\n' > "$OUT/tiny.$k.nir"; done
$M --format nir-manifest --file "$OUT/tiny.manifest.json" --seed 16 \
  $V "$B/spike-run validate {}" || status=1
exit $status
