#!/usr/bin/env bash
# Installs every Debian package NoKV needs. Idempotent: does nothing when all are present.
set -euo pipefail
PACKAGES=(build-essential cmake ninja-build pkg-config ccache libabsl-dev libgrpc++-dev
  protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libgtest-dev libgmock-dev
  libbenchmark-dev libxxhash-dev libzstd-dev librocksdb-dev libleveldb-dev libcpp-httplib-dev nlohmann-json3-dev
  redis-server redis-tools python3-redis spin clang-14 libclang-rt-14-dev)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
