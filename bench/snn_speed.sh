#!/usr/bin/env bash
# Speed of the FP, QANN and T-step SNN plans of one model against the
# roofline of its linear layers, all measured in one run on the same tokens.
# A measurement, not a test: it reports, it never fails on a ratio.
#
#   bash bench/snn_speed.sh FP_PLAN QANN_PLAN SNN_PLAN [TEXT] [TOKENS=2048] [SEQ=512]
#   REPEAT (default 3): rounds of the three evals, interleaved; each plan's
#   best round counts (a shared machine's noise only ever adds time).
#
# The roofline is the faster of two kernels on the model's own linear shapes
# (spike-run roofline, SEQ rows per product): oneDNN's sgemm, which picks its
# kernel from the CPU at run time and is what spike-run uses, and OpenBLAS
# with the core type that matches this CPU (SkylakeX with AVX-512, Haswell
# with AVX2), set for that one measurement only. Goals, per token:
#   FP forward     >= 50% of the roofline
#   QANN           <= 1.2 x FP
#   SNN at T steps <= 1.15 x T x FP
# Plans: spikec compile writes them to OUT/plans/ (fp, qann, is-calibrated).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 3 ]; then
  sed -n 2,18p "$0"
  exit 2
fi
FP=$1
QANN=$2
SNN=$3
TEXT=${4:-${SPIKEC_DATA:-../shared/data}/wikitext-2/test.txt}
TOKENS=${5:-2048}
SEQ=${6:-512}
if [ ! -f "$TEXT" ]; then
  echo "bench/snn_speed.sh: skipped: $TEXT not found (set SPIKEC_DATA)" >&2
  exit 0
fi
B=build/bin
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# OpenBLAS's core type for this CPU, for the roofline's second kernel only.
core=""
grep -qw avx2 /proc/cpuinfo && core=Haswell
grep -qw avx512f /proc/cpuinfo && core=SkylakeX
"$B/spike-run" roofline --plan "$FP" --rows "$SEQ" --json "$OUT/roof.json" \
  > "$OUT/roof.txt" 2> "$OUT/roof.err"
if [ -n "$core" ]; then
  OPENBLAS_CORETYPE=$core "$B/spike-run" roofline --plan "$FP" --rows "$SEQ" \
    --json "$OUT/roof-typed.json" > "$OUT/roof-typed.txt" 2>/dev/null
fi

REPEAT=${REPEAT:-3}
run() { # name plan round
  /usr/bin/time -f "%M" -o "$OUT/$1.$3.rss" "$B/spike-run" eval --plan "$2" \
    --text "$TEXT" --tokens "$TOKENS" --seq-len "$SEQ" \
    --json "$OUT/$1.$3.json" > /dev/null 2> "$OUT/$1.err"
}
for round in $(seq "$REPEAT"); do
  run fp "$FP" "$round"
  run qann "$QANN" "$round"
  run snn "$SNN" "$round"
done
python3 - "$OUT" "$REPEAT" <<'PY'
import json, os, sys
d, repeat = sys.argv[1], int(sys.argv[2])
kernels = [k for f in ("roof.json", "roof-typed.json") if os.path.exists(f"{d}/{f}")
           for k in json.load(open(f"{d}/{f}"))["kernels"]]
# oneDNN is measured in both runs; keep each kernel once, at its best.
best = {}
for k in kernels:
    best[k["name"]] = min(best.get(k["name"], 1e30), k["seconds_per_token"])
roof_name, roof = min(best.items(), key=lambda kv: kv[1])
used = next((l.split("kernels: ", 1)[1].strip() for l in open(f"{d}/fp.err")
             if "spike-run: kernels:" in l), "unknown")
def best_round(n):
    runs = [json.load(open(f"{d}/{n}.{i}.json")) for i in range(1, repeat + 1)]
    return max(runs, key=lambda x: x["tokens_per_second"])
r = {n: best_round(n) for n in ("fp", "qann", "snn")}
rss = {n: max(int(open(f"{d}/{n}.{i}.rss").read().split()[-1])
              for i in range(1, repeat + 1)) for n in r}
T = r["snn"]["timesteps"]
spt = {n: 1 / r[n]["tokens_per_second"] for n in r}
print(f"kernel in use: {used}")
print("roofline (linear layers alone, ms/token):")
for name, s in sorted(best.items(), key=lambda kv: kv[1]):
    print(f"  {1e3 * s:8.3f}  {name}")
print(f"tokens {r['fp']['chunks'] * r['fp']['seq_len']}, seq {r['fp']['seq_len']}, T = {T}, "
      f"best of {repeat} interleaved rounds")
print(f"{'':14}{'ms/token':>10}{'tokens/s':>10}{'peak RSS MiB':>14}{'perplexity':>12}")
for n, label in (("fp", "FP"), ("qann", "QANN"), ("snn", f"SNN T={T}")):
    print(f"{label:14}{1e3 * spt[n]:10.3f}{r[n]['tokens_per_second']:10.1f}"
          f"{rss[n] / 1024:14.0f}{r[n]['perplexity']:12.4f}")
def goal(value, ok):
    return f"{value:.3f} ({'met' if ok else 'missed'})"
a = roof / spt["fp"]
b = spt["qann"] / spt["fp"]
c = spt["snn"] / (T * spt["fp"])
print(f"FP at the roofline:   {goal(a, a >= 0.5)}  goal >= 0.50")
print(f"QANN / FP:            {goal(b, b <= 1.2)}  goal <= 1.20")
print(f"SNN / (T x FP):       {goal(c, c <= 1.15)}  goal <= 1.15")
PY
