#!/usr/bin/env bash
# The Python side of the tests (delta-rs as an independent Delta reader, the model exporters, MLflow) in .venv.
# Installs only when the venv is missing or the requirements changed, so `npm test` can run it every time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${BATCH_SCORE_PYTHON:-}" ]; then exit 0; fi   # the user brings their own interpreter
stamp=.venv/.requirements.sha256
want=$(cat python/requirements.txt python/delta/requirements.txt | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then exit 0; fi
echo "setting up the Python test environment in .venv (once; a few minutes)"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r python/requirements.txt
echo "$want" > "$stamp"
