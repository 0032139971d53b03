#!/usr/bin/env bash
# Issue #16's exactness checks on SmolLM2, on the output of
#   bench/table2.sh 4096 "qann codes energy"
# (OUT holds qann.*, sg2.*, sgif2.*, sg4.*, sgif4.* and sg2.rates.json):
#   - the signed code at T = 1 gives the QANN's logits bit for bit;
#   - the signed IF plans give the signed IS plans' logits bit for bit at
#     T = 2 and 4, with the prefix;
#   - the signed T = 2 chip program for the Loihi-2-like chip runs in
#     spike-chipsim exactly as the runtime runs the plan in its numerics.
# Each check fails the script. Environment: OUT (default out/table2),
# SPIKEC_BIN (default build/bin).
#   bash bench/signed_checks.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-out/table2}
B=$(cd "${SPIKEC_BIN:-build/bin}" && pwd)
C=$PWD/chips/loihi2-like.yaml
M=$(bash scripts/fetch-smollm2.sh)
cd "$OUT"
# 72 token ids of ordinary English text.
IDS=$(python3 -c "print(' '.join(str(x) for x in [504,3458,314,253,5165,28,486,2418,314,1345,30,378,1205,282,260,2114,436,3136,30,216,1232,8912,314,27]*3))")
"$B/spike-opt" qann.mlir --convert-qnn-to-spike="timesteps=1 coding=signed" -o sg1.mlir
"$B/spike-translate" --emit-plan sg1.mlir --plan-tensors sg1.plan.safetensors --tokenizer "$M" -o sg1.plan.json
"$B/spike-run" exec --plan qann.plan.json --tokens "$IDS" --out qann.logits.safetensors > /dev/null
"$B/spike-run" exec --plan sg1.plan.json --tokens "$IDS" --out sg1.logits.safetensors > /dev/null
"$B/spike-run" diff qann.logits.safetensors sg1.logits.safetensors --expect identical
for T in 2 4; do
  "$B/spike-run" exec --plan "sg$T.plan.json" --tokens "$IDS" --out "sg$T.logits.safetensors" > /dev/null
  "$B/spike-run" exec --plan "sgif$T.plan.json" --tokens "$IDS" --out "sgif$T.logits.safetensors" > /dev/null
  "$B/spike-run" diff "sg$T.logits.safetensors" "sgif$T.logits.safetensors" --expect identical
done
"$B/spike-opt" sg2.mlir --spike-map-to-chip="chip=$C rates=sg2.rates.json placement-out=sg2.placement.json" -o /dev/null
"$B/spike-translate" --emit-chip-program sg2.mlir --chip "$C" --program-rates sg2.rates.json \
  --program-placement sg2.placement.json --program-tensors sg2.program.safetensors -o sg2.program.json
"$B/spike-run" exec --plan sg2.plan.json --tokens "$(echo "$IDS" | cut -d' ' -f1-12)" \
  --chip-numerics "$C" --chip-trace sg2.trace.safetensors > /dev/null
"$B/spike-chipsim" sg2.program.json --inputs sg2.trace.safetensors --check | tail -1
