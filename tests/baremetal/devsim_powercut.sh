#!/usr/bin/env bash
# Power cuts in the bare-metal port's configuration, on the host: the oracle
# that lets a device-only switch (ports/baremetal/CMakeLists.txt) change the
# device's sectors safely. sdboot_devsim (the core with exactly the port's
# switches, tools/devsim) boots 64 MiB cards that the host CLI prepared: a
# user file, 1.0.0 installed and confirmed, 1.2.0 staged. The releases change,
# add and remove files under /app and replace one outside it.
#   - the install boot, on a FAT32 and on a FAT16 card, cut after EVERY one of
#     its sector writes (counted by an uncut run: a cut after the last one is
#     no cut), every fourth point also with a torn sector (--tear B: B bytes
#     of the cut write land), and at every sixteenth the recovery boot that
#     follows cut in its turn (after its first, middle, last-but-one write);
#   - the application's confirm that follows (FAT16), cut after every write;
#   - a release that never confirms (1.1.0): trial boots, then the rollback
#     to 1.0.0, and that rollback boot cut after every write (same extras).
# After each cut the device boots again uncut: it must start exactly one
# complete release (the old or the new one, its version printed, its files
# under /app and /config.txt byte for byte that release's, read back with
# mtools), report no failure for it, keep the user file, and leave a card
# fsck.fat -n finds clean. No QEMU: about 1,200 cut points, seconds of CPU.
# The cards live in memory when it can: the image file's device syncs as the
# card's does (fsync), a few thousand times here, for nothing a test needs.
[ -d /dev/shm ] && [ -w /dev/shm ] && SDB_CARD_TMP=/dev/shm
source "$(dirname "$0")/card_lib.sh"
[ -x "${SDB_DEVSIM:-}" ] || fail "SDB_DEVSIM must name the device simulator (build/sdboot_devsim)"

# ---- devsim itself: the port's configuration, its options ----
# the definitions it was built with are the port's line, word for word (read
# here as scripts/footprint.sh reads it)
port_defs=$(awk '/^target_compile_definitions\(sdb_bm_core PUBLIC/ {on = 1; sub(/.*PUBLIC/, "")}
  on {line = line " " $0} on && /\)/ {on = 0} END {sub(/\).*/, "", line); print line}' \
  "$SDB_SRC/ports/baremetal/CMakeLists.txt" | xargs)
[ -n "$port_defs" ] || fail "no definitions read from ports/baremetal/CMakeLists.txt"
built=$("$SDB_DEVSIM" boot --help | sed -n 's/^device configuration: //p')
[ "$built" = "$port_defs" ] || fail "devsim built with '$built', the port has '$port_defs'"
"$SDB_DEVSIM" confirm --help | grep -q "^usage: sdboot_devsim boot" || fail "confirm --help"
rc=0; "$SDB_DEVSIM" boot --card x.img --entry /main.py > "$work/out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] && grep -q "^sdboot devsim boot: --entry is fixed by the board" "$work/out" ||
  { cat "$work/out"; fail "--entry: exit $rc, not refused as the board's own"; }
rc=0; "$SDB_DEVSIM" reboot > "$work/out" 2>&1 || rc=$?
[ "$rc" -eq 2 ] && grep -qx "sdboot_devsim: unknown command 'reboot' (boot or confirm)" "$work/out" ||
  { cat "$work/out"; fail "an unknown command: exit $rc"; }
rc=0; "$SDB_DEVSIM" boot --card "$work/none.img" > "$work/out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] && [ ! -e "$work/none.img" ] || { cat "$work/out"; fail "a missing card: exit $rc"; }
echo "ok: devsim is built with the port's definitions ($port_defs)"

# make_tree VERSION FIRMWARE_BYTES SEED EXTRA : the files of VERSION in
# $work/tree-VERSION: app/firmware.bin (pseudo-random, SEED), app/lib/util.bin
# (the same in every release), app/conf/EXTRA and /config.txt (per version)
make_tree() {
  local t=$work/tree-$1
  mkdir -p "$t/app/lib" "$t/app/conf"
  python3 -c 'import random, sys; random.seed(int(sys.argv[2]))
open(sys.argv[1], "wb").write(random.randbytes(int(sys.argv[3])))' "$t/app/firmware.bin" "$3" "$2"
  python3 -c 'import random, sys; random.seed(7)
open(sys.argv[1], "wb").write(random.randbytes(3000))' "$t/app/lib/util.bin"
  echo "settings of $1" > "$t/app/conf/$4"
  echo "board configuration of release $1" > "$t/config.txt"
}
# pack VERSION DIR : append VERSION's tree to the release directory DIR
pack() {
  (cd "$work/tree-$1" && "$SDBOOT" pack --version "$1" --out "$2" --board lm3s6965evb \
    app/firmware.bin app/lib/util.bin app/conf/* config.txt > /dev/null) || fail "pack $1"
}
make_tree 1.0.0 18000 1 a.txt
make_tree 1.1.0 20000 2 a.txt
make_tree 1.2.0 22000 3 b.txt # a.txt removed, b.txt added, firmware and config changed

# dev_boot OUT CARD [ARG...] : one power-on of the device; its exit code
dev_boot() {
  local out=$1 card=$2 rc=0; shift 2
  "$SDB_DEVSIM" boot --card "$card" "$@" > "$out" 2>&1 || rc=$?
  return "$rc"
}
# the release, the event and the sectors written a device boot printed (bash
# only: the sweep reads a few thousand of them)
version_of() { grep_line "$1" "version: " " "; }
event_of() { grep_line "$1" "event: " ":"; }
writes_of() {
  local l
  l=$(grep_line "$1" "card: " ", est.")
  l=${l% sectors written*}
  echo "${l##* }"
}
# grep_line FILE PREFIX END : the rest of FILE's first line starting with
# PREFIX, cut before the first END in it
grep_line() {
  local line
  while IFS= read -r line; do
    [ "${line#"$2"}" != "$line" ] || continue
    line=${line#"$2"}
    echo "${line%%"$3"*}"
    return
  done < "$1"
}

# check_release CARD VERSION WHAT : the card holds exactly VERSION's files
# (/app and /config.txt), the user file, and is clean under fsck.fat -n
check_release() {
  local got=$work/got
  rm -rf "$got" && mkdir -p "$got"
  mcopy -s -n -i "$1" ::/app "$got/" && mcopy -n -i "$1" ::/config.txt ::/data/user.txt "$got/" ||
    fail "$3: mtools cannot read the release back"
  diff -r "$work/tree-$2/app" "$got/app" > "$work/diff.out" ||
    { cat "$work/diff.out" >&2; fail "$3: /app is not release $2's"; }
  cmp -s "$work/tree-$2/config.txt" "$got/config.txt" || fail "$3: /config.txt is not $2's"
  cmp -s "$work/user.txt" "$got/user.txt" || fail "$3: the user file was lost or changed"
  fsck_clean "$1"
}

# after_cut CARD OLD NEW WHAT : the next power-on starts OLD or NEW, complete,
# and reports no failure; prints "VERSION|EVENT"
after_cut() {
  local rc=0 v ev
  dev_boot "$work/again" "$1" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$work/again" >&2; fail "$4: the boot after the cut exited $rc"; }
  v=$(version_of "$work/again")
  ev=$(event_of "$work/again")
  [ "$v" = "$2" ] || [ "$v" = "$3" ] ||
    { cat "$work/again" >&2; fail "$4: release '$v' runs, expected $2 or $3"; }
  if [ "$ev" = "install failed" ] || grep -q "^reason: " "$work/again"; then
    cat "$work/again" >&2
    fail "$4: the boot after the cut reports a failure while $v runs"
  fi
  check_release "$1" "$v" "$4"
  echo "$v|${ev:-none}"
}

# cut_recovery OLD NEW WHAT : the boot after a cut ($work/rec.img; after_cut
# left its uncut run in $work/again) cut in its turn, after its first, middle
# and last-but-one write; each followed by after_cut
cut_recovery() {
  local w m rc
  w=$(writes_of "$work/again")
  [ "${w:-0}" -ge 2 ] || return 0
  for m in 1 $((w / 2)) $((w - 1)); do
    cp --sparse=always "$work/rec.img" "$work/rec-cut.img"
    rc=0; dev_boot "$work/out" "$work/rec-cut.img" --power-cut-after "$m" || rc=$?
    [ "$rc" -eq 75 ] || { cat "$work/out"; fail "$3, its recovery cut after $m writes: exit $rc"; }
    cut_points=$((cut_points + 1)); recovery_cuts=$((recovery_cuts + 1))
    after_cut "$work/rec-cut.img" "$1" "$2" "$3, its recovery cut after $m writes" > /dev/null
  done
}

# sweep BASE OLD NEW WHAT : WHAT, the boot of BASE uncut, then cut after every
# one of its sector writes (and torn at every fourth); each followed by
# after_cut. Sets $sweep_writes and the outcomes seen in $outcomes.
cut_points=0 recovery_cuts=0
sweep() {
  local base=$1 n rc r tear
  cp --sparse=always "$base" "$work/ref.img"
  rc=0; dev_boot "$work/out" "$work/ref.img" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$work/out"; fail "$4 without a cut: exit $rc"; }
  sweep_writes=$(writes_of "$work/out")
  [ -n "$sweep_writes" ] && [ "$sweep_writes" -ge 20 ] || fail "$4 wrote '$sweep_writes' sectors"
  echo "$4: $sweep_writes sector writes uncut; a cut after each of them:"
  declare -gA outcomes=()
  for n in $(seq 1 "$sweep_writes"); do
    local tears=(0)
    [ $((n % 4)) -ne 0 ] || [ "$n" -eq "$sweep_writes" ] || tears+=($((1 + n * 37 % 511)))
    for tear in "${tears[@]}"; do
      cp --sparse=always "$base" "$work/cut.img"
      rc=0; dev_boot "$work/out" "$work/cut.img" --power-cut-after "$n" --tear "$tear" || rc=$?
      if [ "$n" -eq "$sweep_writes" ]; then
        # exactly that many writes: the boot ends before a cut can come
        [ "$rc" -eq 0 ] || { cat "$work/out"; fail "$4: --power-cut-after $n (its last write) exit $rc"; }
      else
        [ "$rc" -eq 75 ] || { cat "$work/out"; fail "$4: --power-cut-after $n: exit $rc, expected 75"; }
        cut_points=$((cut_points + 1))
      fi
      [ $((n % 16)) -ne 8 ] || cp --sparse=always "$work/cut.img" "$work/rec.img"
      r=$(after_cut "$work/cut.img" "$2" "$3" "$4, cut after $n writes (tear $tear)")
      outcomes[$r]=$((${outcomes[$r]:-0} + 1))
      [ $((n % 16)) -ne 8 ] || [ "$tear" -ne 0 ] || cut_recovery "$2" "$3" "$4, cut after $n writes"
    done
  done
  for r in "${!outcomes[@]}"; do echo "  next boot starts ${r%|*} (event ${r#*|}): ${outcomes[$r]} times"; done
}

# make_card CARD SIZE [IMAGE-CREATE-ARG...] : a user file, 1.0.0 installed and
# confirmed (that card kept as CARD.old), 1.2.0 staged
printf 'user data, not part of any release\n' > "$work/user.txt"
pack 1.0.0 "$work/rel"
pack 1.0.0 "$work/rel-rb"
pack 1.1.0 "$work/rel-rb"
pack 1.2.0 "$work/rel-new"
make_card() {
  local card=$1 size=$2; shift 2
  "$SDBOOT" image create "$card" --size "$size" "$@" > /dev/null
  "$SDBOOT" image mkdir "$card" /data > /dev/null
  "$SDBOOT" image put "$card" "$work/user.txt" /data/user.txt > /dev/null
  stage "$card" "$work/rel"
  dev_boot "$work/out" "$card" || { cat "$work/out"; fail "the install of 1.0.0"; }
  [ "$(event_of "$work/out")" = installed ] && [ "$(version_of "$work/out")" = 1.0.0 ] ||
    { cat "$work/out"; fail "1.0.0 not installed"; }
  "$SDB_DEVSIM" confirm --card "$card" > "$work/out" 2>&1 || { cat "$work/out"; fail "confirm 1.0.0"; }
  dev_boot "$work/out" "$card" || { cat "$work/out"; fail "the boot that folds the confirm in"; }
  [ "$(event_of "$work/out")" = confirmed ] || { cat "$work/out"; fail "1.0.0's confirm not folded in"; }
  check_release "$card" 1.0.0 "1.0.0 installed"
  cp --sparse=always "$card" "$card.old"
  stage "$card" "$work/rel-new"
}

t0=$(date +%s%N)
# ---- the install of 1.2.0, cut after every write: FAT32, then FAT16 ----
base=$work/base.img
make_card "$base" 64M --fat 32
sweep "$base" 1.0.0 1.2.0 "install of 1.2.0 (64 MiB FAT32)"
[ -n "${outcomes[1.2.0|resumed]:-}" ] || fail "no cut fell inside the install (no resumed install)"
install_writes=$sweep_writes
make_card "$base" 64M --force
sweep "$base" 1.0.0 1.2.0 "install of 1.2.0 (64 MiB FAT16)"
[ -n "${outcomes[1.2.0|resumed]:-}" ] || fail "no cut fell inside the install (no resumed install)"
install_writes+=" and $sweep_writes"
check_release "$work/ref.img" 1.2.0 "1.2.0 installed uncut"

# ---- the application's confirm after the install, cut after every write ----
n=0
while :; do
  n=$((n + 1))
  cp --sparse=always "$work/ref.img" "$work/cut.img"
  rc=0
  "$SDB_DEVSIM" confirm --card "$work/cut.img" --power-cut-after "$n" > "$work/out" 2>&1 || rc=$?
  [ "$rc" -eq 0 ] && break
  [ "$rc" -eq 75 ] || { cat "$work/out"; fail "confirm cut after $n writes: exit $rc"; }
  cut_points=$((cut_points + 1))
  r=$(after_cut "$work/cut.img" 1.2.0 1.2.0 "confirm cut after $n writes")
  echo "  confirm cut after $n writes: next boot starts ${r%|*} (event ${r#*|})"
done
[ "$n" -ge 3 ] || fail "the confirm wrote only $((n - 1)) sectors: no cut point inside it"
dev_boot "$work/out" "$work/cut.img" || fail "the boot after the confirm"
[ "$(event_of "$work/out")" = confirmed ] && ! grep -q "on trial" "$work/out" ||
  { cat "$work/out"; fail "the uncut confirm was not folded in"; }
echo "ok: the confirm cut after each of its $((n - 1)) writes, then folded in"

# ---- a release that never confirms: trial boots, then the rollback ----
rb=$work/rb.img
cp --sparse=always "$base.old" "$rb"
stage "$rb" "$work/rel-rb"
dev_boot "$work/out" "$rb" || { cat "$work/out"; fail "the install of 1.1.0"; }
[ "$(event_of "$work/out")" = installed ] || { cat "$work/out"; fail "1.1.0 not installed"; }
for trial in 1 2 3; do
  dev_boot "$work/out" "$rb" || { cat "$work/out"; fail "trial boot $trial of 1.1.0"; }
  grep -q "^version: 1.1.0 (on trial: boot $trial of 3" "$work/out" ||
    { cat "$work/out"; fail "trial boot $trial of 1.1.0 not counted"; }
done
check_release "$rb" 1.1.0 "1.1.0 on trial"
sweep "$rb" 1.0.0 1.1.0 "rollback of 1.1.0"
dev_boot "$work/out" "$rb" || fail "the rollback boot"
[ "$(event_of "$work/out")" = "rolled back" ] && [ "$(version_of "$work/out")" = 1.0.0 ] ||
  { cat "$work/out"; fail "1.1.0 not rolled back to 1.0.0 after its 3 trial boots"; }
check_release "$rb" 1.0.0 "rolled back to 1.0.0"
t1=$(date +%s%N)
echo "ok: $cut_points cut points (installs of $install_writes writes, confirm, rollback of" \
  "$sweep_writes writes, $recovery_cuts in the recovery after a cut), each followed by one" \
  "complete release on a clean card, $(((t1 - t0) / 1000000)) ms"
