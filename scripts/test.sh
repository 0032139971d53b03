#!/usr/bin/env bash
# README command 2: install what is missing, build, run the whole test suite
# (lit + FileCheck, GoogleTest under ctest, then pytest over the Python
# package) and print one summary line.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

bash scripts/install-deps.sh || exit 1
bash scripts/build.sh || { echo "test.sh: build failed"; exit 1; }
# The libFuzzer targets must keep compiling and running (a short smoke run;
# bench/fuzz_exchange.sh runs the long campaigns).
bash scripts/build-fuzzers.sh --smoke || { echo "test.sh: fuzzers failed"; exit 1; }

# The tokenizer test uses SmolLM2's vocabulary; without network access it
# skips with a message instead.
bash scripts/fetch-smollm2.sh >/dev/null ||
  echo "test.sh: warning: SmolLM2 not fetched; its tokenizer test will skip"

LIT=${LIT:-/usr/lib/llvm-22/bin/lit}
echo "== lit (IR, tools, plans)"
lit_log=$(mktemp)
"$LIT" -sv "$BUILD_DIR/test" 2>&1 | tee "$lit_log"
lit_rc=${PIPESTATUS[0]}
lit_pass=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$lit_log" | tail -1)
lit_fail=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$lit_log" | tail -1)
rm -f "$lit_log"

echo "== ctest (GoogleTest units)"
ct_log=$(mktemp)
ctest --test-dir "$BUILD_DIR" --output-on-failure 2>&1 | tee "$ct_log"
ct_rc=${PIPESTATUS[0]}
ct_total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$ct_log" | tail -1)
ct_fail=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$ct_log" | tail -1)
# Gated tests (the CUDA ones without a GPU) skip themselves: not passes.
ct_skip=$(grep -c '(Skipped)$' "$ct_log" || true)
rm -f "$ct_log"

echo "== pytest (the Python package, docs/Python.md)"
# pip-installs the package into .venv (the extension builds in build/python),
# then runs test/Python against the built tools.
py_log=$(mktemp)
if bash scripts/install-python.sh; then
  SPIKEC_BIN="$PWD/$BUILD_DIR/bin" .venv/bin/python -m pytest -p no:cacheprovider \
    -q test/Python 2>&1 | tee "$py_log"
  py_rc=${PIPESTATUS[0]}
else
  echo "test.sh: the Python package did not install"
  py_rc=1
fi
py_pass=$(sed -n 's/.* \([0-9]*\) passed.*/\1/p; s/^\([0-9]*\) passed.*/\1/p' "$py_log" | tail -1)
py_fail=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p; s/^\([0-9]*\) failed.*/\1/p' "$py_log" | tail -1)
py_err=$(sed -n 's/.* \([0-9]*\) errors\{0,1\}.*/\1/p; s/^\([0-9]*\) errors\{0,1\}.*/\1/p' "$py_log" | tail -1)
py_fail=$(( ${py_fail:-0} + ${py_err:-0} ))
rm -f "$py_log"

ct_pass=$(( ${ct_total:-0} - ${ct_fail:-0} - ${ct_skip:-0} ))
passed=$(( ${lit_pass:-0} + ct_pass + ${py_pass:-0} ))
failed=$(( ${lit_fail:-0} + ${ct_fail:-0} + py_fail ))
if [ "$lit_rc" -ne 0 ] || [ "$ct_rc" -ne 0 ] || [ "$py_rc" -ne 0 ]; then
  [ "$failed" -eq 0 ] && failed=1
fi
echo
echo "lit: ${lit_pass:-0} passed, ${lit_fail:-0} failed; unit: $ct_pass passed, ${ct_fail:-0} failed, ${ct_skip:-0} skipped (no GPU); pytest: ${py_pass:-0} passed, $py_fail failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
