#!/usr/bin/env bash
# Installs the spikec Python package (pyproject.toml: the runtime extension,
# the tool wrappers, the lm-eval model) into a virtual environment that sees
# Debian's torch, and checks that it imports (docs/Python.md).
#   VENV (default .venv)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
bash scripts/install-deps.sh >/dev/null
# --system-site-packages: Debian's python3-torch (the torch the extension
# builds against), numpy, pybind11, pytest and matplotlib. The constraints
# keep pip from replacing any of them with PyPI's.
[ -x "$VENV/bin/python" ] ||
  /usr/bin/python3 -m venv --system-site-packages "$VENV"
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/spikec-ccache}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=1
pip=("$VENV/bin/python" -m pip --disable-pip-version-check -q)
"${pip[@]}" install -c runtime/python/constraints.txt scikit-build-core==1.1.2
# --no-build-isolation: build against the environment's torch and pybind11.
"${pip[@]}" install -c runtime/python/constraints.txt --no-build-isolation \
  ".[lm-eval,test]"
"$VENV/bin/python" -c 'import spikec; print("install-python: spikec", spikec.__version__, "in", "'"$VENV"'")'
