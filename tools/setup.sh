#!/usr/bin/env bash
# One-step set-up: install packages, configure and build the default (RelWithDebInfo) preset.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"
echo "built: ./build/nokv (CLI), ./build/quickstart"
