#!/usr/bin/env bash
# Power-cut soak of the bare-metal port under QEMU, beyond what make test runs
# (tests/baremetal/qemu_powercut.sh: 30 exact points, 8 SIGKILLs, the
# application's confirm). Same card as that test: 32 MiB FAT16, a user file,
# 1.0.0 confirmed, 1.2.0 staged; each case cuts the install boot (and the
# application's confirm that follows it), boots again, and must find one
# complete release started, fsck.fat -n clean and the user file intact.
#
# usage: scripts/qemu_powercut_soak.sh BUILD_DIR exact [FROM TO]
#          every sector write from FROM to TO (default: 1 to the install's
#          writes + 8, the confirm included): the SD driver stops dead there
#        scripts/qemu_powercut_soak.sh BUILD_DIR kill N [SEED]
#          N SIGKILLs of QEMU at random moments of the same boot
# Prints one line per case and a summary; exits 1 if any case failed.
set -euo pipefail
build=$(cd "${1:?usage: qemu_powercut_soak.sh BUILD_DIR exact|kill ...}" && pwd)
mode=${2:?exact or kill}
export SDB_BM_BUILD=$build/baremetal SDBOOT=$build/sdboot
source "$(dirname "$0")/../tests/baremetal/qemu_lib.sh"

base=$work/base.img rel=$work/rel
powercut_card "$base" "$rel"
cp --sparse=always "$base" "$work/ref.img"
t0=$(date +%s%N)
boot_app "$work/out" "$work/ref.img" 1.2.0
t1=$(date +%s%N)
writes=$(sed -n 's/.*boot traffic:.* sectors_written=\([0-9]*\).*/\1/p' "$work/out")
echo "install boot: $writes sector writes, $(((t1 - t0) / 1000000)) ms"

failed=0 cases=0
# judge NAME : the boot after a cut on $work/cut.img
judge() {
  local rc=0 why=""
  cases=$((cases + 1))
  qemu_boot "$work/again" "$BL" "$work/cut.img" || rc=$?
  if [ "$rc" -ne 0 ]; then
    why="next boot exited $rc"
  elif ! grep -qE "app: hello from application 1\.[02]\.0 \(release 1\.[02]\.0" "$work/again"; then
    why="no complete release started"
  else
    local out
    out=$(fsck.fat -n "$work/cut.img" 2>&1) || why="fsck.fat exit $?"
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || why="fsck.fat: $(printf '%s' "$out" | sed -n 2p)"
    "$SDBOOT" image get "$work/cut.img" /data/user.txt "$work/user.back" > /dev/null 2>&1 &&
      cmp -s "$work/user.txt" "$work/user.back" || why=${why:-"user file lost or changed"}
  fi
  if [ -n "$why" ]; then
    failed=$((failed + 1))
    echo "  $1: FAIL: $why"
  else
    echo "  $1: ok ($(grep -o 'application 1\.[02]\.0' "$work/again" | head -1))"
  fi
}

case $mode in
exact)
  from=${3:-1} to=${4:-$((writes + 8))}
  for n in $(seq "$from" "$to"); do
    cp --sparse=always "$base" "$work/cut.img"
    rc=0; qemu_boot "$work/out" "$BL" "$work/cut.img" "cut=$n" || rc=$?
    judge "cut after $n writes (exit $rc)"
  done ;;
kill)
  seed=${4:-$(date +%s)}
  echo "SIGKILL moments: seed $seed"
  RANDOM=$seed
  span=$(((t1 - t0) / 1000000 + 50))
  for i in $(seq 1 "${3:?number of kills}"); do
    cp --sparse=always "$base" "$work/cut.img"
    ms=$((RANDOM % span))
    qemu_sigkill "$work/cut.img" "$ms"
    judge "SIGKILL after $ms ms (QEMU exit $kill_status)"
  done ;;
*)
  fail "mode must be exact or kill" ;;
esac
echo "$cases cases, $failed failed"
[ "$failed" -eq 0 ]
