#!/usr/bin/env bash
# Power cuts during an install on the bare-metal port, under QEMU. The card
# holds 1.0.0 (confirmed), a user file, and 1.2.0 staged. The install boot is
# cut
#   - at 30 exact points: the SD driver stops dead after N sector writes
#     (cut=N, sdb_sd.cut_after_writes), spread over the whole install, and at
#     every write of the application's confirm that follows it;
#   - by SIGKILL of QEMU at random moments of the same boot.
# Each card the exact cuts leave is byte for byte the card sdboot_devsim
# (the core with the port's switches on the host) leaves cut after as many
# writes: the host's sweep of every write (devsim_powercut.sh) stands for the
# board's. After each cut the board boots again: it must start one complete release
# (1.0.0 or 1.2.0, its image passing the bootloader's SHA-256), the card must
# be clean under fsck.fat -n, the user file must be intact, and the boot must
# not report a failure (event install failed, an error line) for what runs.
# SDB_SEED replays the random moments. (A 64 MiB card: FAT16 with 16 KiB
# clusters, so that a boot reads a few hundred sectors and the 46 QEMU runs
# take seconds.)
source "$(dirname "$0")/qemu_lib.sh"
[ -x "${SDB_DEVSIM:-}" ] || fail "SDB_DEVSIM must name the device simulator (build/sdboot_devsim)"

base=$work/base.img
rel=$work/rel
powercut_card "$base" "$rel"

# the install without a cut: how many sectors it writes, how long it takes
cp --sparse=always "$base" "$work/ref.img"
t0=$(date +%s%N)
boot_app "$work/out" "$work/ref.img" 1.2.0
t1=$(date +%s%N)
expect "$work/out" "event: installed; release 1.2.0"
writes=$(sed -n 's/.*boot traffic:.* sectors_written=\([0-9]*\).*/\1/p' "$work/out")
[ -n "$writes" ] && [ "$writes" -ge 30 ] || fail "install wrote '$writes' sectors: too few for 30 cut points"
echo "install boot: $writes sector writes, $(((t1 - t0) / 1000000)) ms"

# same_card_as_devsim N : the board's card cut after N sector writes is, byte
# for byte, the card sdboot_devsim leaves when it is cut after N writes of the
# same power-on (the install boot, then the application's confirm): the host
# sweep of tests/baremetal/devsim_powercut.sh cuts what the board writes
same_card_as_devsim() {
  local rc=0
  cp --sparse=always "$base" "$work/dev.img"
  if [ "$1" -le "$writes" ]; then
    "$SDB_DEVSIM" boot --card "$work/dev.img" --power-cut-after "$1" > "$work/dev.out" 2>&1 || rc=$?
  else
    "$SDB_DEVSIM" boot --card "$work/dev.img" > "$work/dev.out" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || { cat "$work/dev.out"; fail "devsim's install boot: exit $rc"; }
    "$SDB_DEVSIM" confirm --card "$work/dev.img" --power-cut-after $(($1 - writes)) \
      > "$work/dev.out" 2>&1 || rc=$?
  fi
  [ "$rc" -eq 0 ] || [ "$rc" -eq 75 ] || { cat "$work/dev.out"; fail "devsim cut after $1: exit $rc"; }
  cmp -s "$work/cut.img" "$work/dev.img" || fail "cut after $1 writes: the board's card is not devsim's"
}

# after_cut NAME : the next power-on starts a whole release on a clean card
after_cut() {
  local img=$work/cut.img rc=0
  qemu_boot "$work/again" "$BL" "$img" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$work/again" >&2; fail "$1: the boot after the cut exited $rc"; }
  grep -qE "app: hello from application (1\.0\.0 \(release 1\.0\.0|1\.2\.0 \(release 1\.2\.0)" \
    "$work/again" || { cat "$work/again" >&2; fail "$1: no complete release started after the cut"; }
  fsck_clean "$img"
  "$SDBOOT" image get "$img" /data/user.txt "$work/user.back" > /dev/null
  cmp -s "$work/user.txt" "$work/user.back" || fail "$1: the user file was lost or changed"
  local v ev
  v=$(grep -o "application 1\.[02]\.0" "$work/again" | head -1)
  ev=$(sed -n 's/.*decision: [^;]*; event: \([a-z ]*\);.*/\1/p' "$work/again" | head -1)
  # what the boot reports matches what runs: a verified install a cut
  # interrupted is finished, never reported as failed (issue 15)
  if [ "$ev" = "install failed" ] || grep -q "^sdboot: error: " "$work/again"; then
    cat "$work/again" >&2
    fail "$1: the boot after the cut reports a failure while ${v##* } runs"
  fi
  echo "${v##* } ${ev// /-}"
}

declare -A seen=()
for i in $(seq 0 29); do
  n=$((1 + i * (writes - 1) / 29))
  cp --sparse=always "$base" "$work/cut.img"
  rc=0; qemu_boot "$work/out" "$BL" "$work/cut.img" "cut=$n" || rc=$?
  [ "$rc" -eq 75 ] || { cat "$work/out"; fail "cut=$n: exit $rc, expected the power cut (75)"; }
  expect "$work/out" "POWER CUT after $n sector writes"
  same_card_as_devsim "$n"
  r=$(after_cut "cut after $n writes")
  echo "  cut after $n writes: next boot starts ${r% *} (event ${r#* })"
  seen[${r#* }]=1
done
# the cuts land inside the install: the next boot finishes it (the staged
# release was verified, so an install is always completed forward)
[ -n "${seen[resumed]:-}${seen[installed]:-}" ] ||
  fail "no cut interrupted the install (events seen: ${!seen[*]})"
echo "ok: 30 exact cut points, each followed by one complete release on a clean card;" \
  "each cut card byte for byte devsim's"

# The application's confirm after the install (it writes through the
# bootloader's FAT driver, so the same counter cuts it): every write of it.
# A cut there once left a lost cluster that no boot repaired.
confirm_cuts=0
for n in $(seq $((writes + 1)) $((writes + 8))); do
  cp --sparse=always "$base" "$work/cut.img"
  rc=0; qemu_boot "$work/out" "$BL" "$work/cut.img" "cut=$n" || rc=$?
  [ "$rc" -eq 75 ] || [ "$rc" -eq 0 ] || { cat "$work/out"; fail "cut=$n: exit $rc"; }
  [ "$rc" -eq 0 ] || confirm_cuts=$((confirm_cuts + 1))
  same_card_as_devsim "$n"
  r=$(after_cut "cut after $n writes (the application's confirm)")
  echo "  cut after $n writes (exit $rc): next boot starts ${r% *} (event ${r#* })"
done
[ "$confirm_cuts" -ge 3 ] || fail "only $confirm_cuts cuts fell into the application's confirm"
echo "ok: the application's confirm cut at each of its $confirm_cuts writes (the cards devsim's)"

seed=${SDB_SEED:-$(date +%s)}
echo "SIGKILL moments: SDB_SEED=$seed"
RANDOM=$seed
span=$(((t1 - t0) / 1000000 + 50))
for i in $(seq 1 8); do
  cp --sparse=always "$base" "$work/cut.img"
  ms=$((RANDOM % span))
  qemu_sigkill "$work/cut.img" "$ms"
  how=$([ "$kill_status" -eq 137 ] && echo "killed mid-boot" || echo "had finished (exit $kill_status)")
  r=$(after_cut "SIGKILL after $ms ms")
  echo "  SIGKILL after $ms ms, $how: next boot starts ${r% *} (event ${r#* })"
done
echo "ok: SIGKILL at random moments, each followed by one complete release on a clean card"
