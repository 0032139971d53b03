#!/usr/bin/env bash
# Lists every hand-written function longer than 150 lines (clang-tidy's
# readability-function-size, LineThreshold 150) in the compiler, the
# runtime and the tools, from the build's compile_commands.json; exits 1 if
# there is one. Generated files (TableGen .inc, the Unicode tables) are not
# compiled on their own and so not checked.
#   bash scripts/check-function-size.sh [BUILD_DIR]   (default build)
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
TIDY=${CLANG_TIDY:-$(command -v clang-tidy || command -v clang-tidy-14)}
[ -n "$TIDY" ] || { echo "check-function-size: no clang-tidy" >&2; exit 2; }
[ -f "$BUILD/compile_commands.json" ] ||
  { echo "check-function-size: no $BUILD/compile_commands.json (run scripts/build.sh)" >&2; exit 2; }
files=$(python3 -c "
import json, os, sys
root = os.getcwd()
for e in json.load(open(sys.argv[1])):
    f = os.path.realpath(os.path.join(e['directory'], e['file']))
    rel = os.path.relpath(f, root)
    if rel.startswith(('lib/', 'tools/', 'runtime/')) and rel.endswith('.cpp'):
        print(rel)
" "$BUILD/compile_commands.json" | sort -u)
out=$(echo "$files" | xargs -P "${JOBS:-$(nproc)}" -n 4 "$TIDY" -p "$BUILD" --quiet \
  --checks='-*,readability-function-size' \
  --config='{CheckOptions: [{key: readability-function-size.LineThreshold, value: 150}]}' \
  2>/dev/null | grep -E "warning: function .* exceeds" | sort -u)
n=$(echo "$files" | wc -l)
if [ -n "$out" ]; then
  echo "$out" | sed "s|$PWD/||"
  echo "check-function-size: $(echo "$out" | wc -l) functions over 150 lines in $n files"
  exit 1
fi
echo "check-function-size: no function over 150 lines in $n files"
