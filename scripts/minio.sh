#!/usr/bin/env bash
# The S3-compatible server the storage tests run against: MinIO, built from source with `go install` into the
# project's tools folder (.tools/bin) once, like the Temporal CLI; later runs find it there and return at once.
# Prints the binary's path on its last line. docs/decisions/s3-test-server.md says why MinIO and why this build.
# MINIO_PATH names a MinIO binary the user brings instead (used as is).
set -euo pipefail
cd "$(dirname "$0")/.."
module=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c
if [ -n "${MINIO_PATH:-}" ]; then
  [ -x "$MINIO_PATH" ] || { echo "MINIO_PATH=$MINIO_PATH is not an executable file" >&2; exit 1; }
  echo "$MINIO_PATH"; exit 0
fi
bin=.tools/bin/minio
stamp=.tools/bin/minio.module   # the module version the binary was built from: a new pin rebuilds it
if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$module" ]; then echo "$PWD/$bin"; exit 0; fi
command -v go >/dev/null || { echo "Go is needed to build MinIO ($module) for the S3 tests; or set MINIO_PATH" >&2; exit 1; }
mkdir -p .tools/bin
echo "building MinIO ($module) into .tools/bin; this happens once and takes a few minutes" >&2
GOBIN="$PWD/.tools/bin" go install "$module" >&2
echo "$module" > "$stamp"
echo "$PWD/$bin"
