#!/usr/bin/env bash
# The Python side of the tests (delta-rs as an independent Delta reader, the model exporters, MLflow) in .venv.
# Installs only when the venv is missing or the requirements changed, so `npm test` can run it every time.
# With INTEROP_SPARK=1 it adds PySpark + delta-spark (python/spark-requirements.txt) for the Spark interop test.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${BATCH_SCORE_PYTHON:-}" ]; then exit 0; fi   # the user brings their own interpreter
stamp=.venv/.requirements.sha256
requirements=(python/requirements.txt)
if [ "${INTEROP_SPARK:-}" = 1 ]; then requirements+=(python/spark-requirements.txt); fi
want=$(cat "${requirements[@]}" python/delta/requirements.txt | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then exit 0; fi
echo "setting up the Python test environment in .venv (once; a few minutes)"
[ -x .venv/bin/python ] || python3 -m venv .venv
for r in "${requirements[@]}"; do .venv/bin/pip install --quiet --disable-pip-version-check -r "$r"; done
echo "$want" > "$stamp"
