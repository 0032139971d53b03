#!/usr/bin/env bash
# Speed and memory of a spiking plan against its QANN, in one run and on the
# same tokens: the wall time of the T-step SNN over T x the QANN's (goal
# <= 1.15 on CPU) and the peak resident memory of the two processes (goal
# <= 1.5). A measurement, not a test: it reports, it never fails on a ratio.
#   bash bench/snn_speed.sh QANN_PLAN SNN_PLAN [TEXT] [TOKENS=2048] [SEQ=512]
# Example (plans from bench/table2.sh or docs/results.md):
#   bash bench/snn_speed.sh out/qann.plan.json out/snn-t2.plan.json
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  sed -n 2,9p "$0"
  exit 2
fi
QANN=$1
SNN=$2
TEXT=${3:-${SPIKEC_DATA:-../shared/data}/wikitext-2/test.txt}
TOKENS=${4:-2048}
SEQ=${5:-512}
if [ ! -f "$TEXT" ]; then
  echo "bench/snn_speed.sh: skipped: $TEXT not found (set SPIKEC_DATA)" >&2
  exit 0
fi
B=build/bin
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
run() { # name plan
  /usr/bin/time -f "%M" -o "$OUT/$1.rss" "$B/spike-run" eval --plan "$2" \
    --text "$TEXT" --tokens "$TOKENS" --seq-len "$SEQ" --json "$OUT/$1.json" \
    > /dev/null 2>&1
}
run qann "$QANN"
run snn "$SNN"
python3 - "$OUT" <<'PY'
import json, sys
d = sys.argv[1]
q = json.load(open(f"{d}/qann.json")); s = json.load(open(f"{d}/snn.json"))
rq = int(open(f"{d}/qann.rss").read().split()[-1]); rs = int(open(f"{d}/snn.rss").read().split()[-1])
T = s["timesteps"]
ratio = s["seconds"] / (T * q["seconds"])
mem = rs / rq
print(f"tokens {q['chunks'] * q['seq_len']}, seq {q['seq_len']}, T = {T}")
print(f"{'':14}{'seconds':>10}{'tokens/s':>10}{'peak RSS MiB':>14}{'perplexity':>12}")
for name, r, rss in (("QANN", q, rq), (f"SNN T={T}", s, rs)):
    print(f"{name:14}{r['seconds']:10.2f}{r['tokens_per_second']:10.1f}{rss/1024:14.0f}{r['perplexity']:12.4f}")
print(f"time ratio SNN / (T x QANN): {ratio:.3f} (goal <= 1.15: {'met' if ratio <= 1.15 else 'missed'})")
print(f"peak RSS ratio SNN / QANN:   {mem:.3f} (goal <= 1.5: {'met' if mem <= 1.5 else 'missed'})")
PY
