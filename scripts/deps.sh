#!/usr/bin/env bash
# Installs the Debian packages sdboot needs, only those that are missing.
# Non-interactive; safe to run repeatedly (make test runs it every time).
# Usage: scripts/deps.sh [--bench]   (--bench adds what make bench needs: gnuplot; the
# Cortex-M cross compiler and QEMU are in the default set: make test checks the core
# builds for a microcontroller, tests/port/portable_core.sh, and boots the bare-metal
# port under qemu-system-arm, tests/baremetal)
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libmbedtls-dev zlib1g-dev libcurl4-openssl-dev libmicrohttpd-dev libcmocka-dev
  dosfstools mtools nginx-light openssl curl libarchive-tools python3
  clang valgrind libclang-rt-14-dev
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
  help2man man-db bash-completion dpkg-dev git  # man pages, make deb, the build's commit
)

# make bench: the scaling plot (docs/bench-scale.png)
[ "${1:-}" = --bench ] && packages+=(gnuplot-nox)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
