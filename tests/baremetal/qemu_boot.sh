#!/usr/bin/env bash
# The bare-metal bootloader under QEMU, one power-on per QEMU run: the host CLI
# prepares cards and stages releases, the board boots from its SD card over
# SPI, and the console (UART0) and the card image are checked.
#   blank card: left alone with format=0, and by the default policy too (this
#   port has no formatter: SDB_FAT_MKFS=0)
#   damaged FAT boot sectors (one a host would mend) and a foreign file
#   system: untouched, the no-card path with the port's error codes
#   install 1.0.0 -> the application prints 1.0.0 and confirms; a normal boot
#   then writes nothing
#   1.1.0 never confirms -> trial boots, then back on 1.0.0
#   damaged /app/firmware.bin -> restored from the kept archive, then started
#   a .tar.gz release -> refused (no gzip on this port), 1.0.0 keeps running
#   no card -> the no-card path; SDSC (64 MiB) and SDHC (4 GiB) cards
#   the install and a normal boot move exactly the sectors (and requests) the
#   device simulator sdboot_devsim moves on the same card (the full host
#   simulator's figures printed beside them)
#   the port's switches (ports/baremetal/CMakeLists.txt, boot.h): a staged
#   release older than the installed one is installed (SDBOOT_VERSION_CHECK 0)
#   while a damaged one is still refused by its SHA-256; both state records
#   lost: the release runs as "unknown", nothing on the card changed but the
#   records (SDBOOT_REBUILD 0), and the next install goes on from there
source "$(dirname "$0")/qemu_lib.sh"
[ -x "${SDB_DEVSIM:-}" ] || fail "SDB_DEVSIM must name the device simulator (build/sdboot_devsim)"

# same_sectors_as_sim OUT SIMCARD WHAT : the board's boot moved exactly the
# sectors, in the same requests, that the device simulator (sdboot_devsim:
# the core with the port's switches) moves on a byte-identical card. The full
# host simulator's figures (`sdboot sim boot`, every feature) are printed
# beside them, for information: a device-only switch may move other sectors.
same_sectors_as_sim() {
  local board dev full
  board=$(sed -n 's/.*boot traffic:.* sectors_read=\([0-9]*\) sectors_written=\([0-9]*\) read_ops=\([0-9]*\) write_ops=\([0-9]*\).*/\1 \3 \2 \4/p' "$1")
  cp --sparse=always "$2" "$2.full"
  dev=$(sim_card_line "$SDB_DEVSIM" boot --card "$2")
  full=$(sim_card_line "$SDBOOT" sim boot --card "$2.full" --entry /app/firmware.bin \
    --board lm3s6965evb --no-arena)
  [ -n "$board" ] && [ "$board" = "$dev" ] ||
    fail "$3: board moved $board (sectors/requests read, written), devsim $dev"
  echo "ok: $3 moves the same sectors and requests on the board and in devsim" \
    "(read $(rw_text $board); full host sim: read $(rw_text $full))"
}
# sim_card_line CMD... : "R A W B" of the card line a sim boot prints last
sim_card_line() {
  "$@" | sed -n 's/^card: \([0-9]*\) sectors read in \([0-9]*\) requests, \([0-9]*\) sectors written in \([0-9]*\) requests.*/\1 \2 \3 \4/p'
}
# rw_text R A W B : "R sectors in A requests, written W in B"
rw_text() { echo "$1 sectors in $2 requests, written $3 in $4"; }

# ---- blank card and the format policy ----
truncate -s 64M "$work/blank.img"
cp "$work/blank.img" "$work/keep.img"
rc=0; qemu_boot "$work/out" "$BL" "$work/keep.img" format=0 || rc=$?
[ "$rc" -eq 2 ] || fail "blank card with format=0: exit $rc, expected 2"
expect "$work/out" "decision: internal file system, nothing runs"
cmp -s "$work/keep.img" "$work/blank.img" || fail "format=0 wrote to the blank card"
echo "ok: blank card left alone when formatting is forbidden"

# The port is built without the formatter (SDB_FAT_MKFS=0, docs/boot.md): the
# default policy would format, but the blank card is left exactly as it was
# and the boot takes the no-card path, saying why in its error code (the host
# tests format; the engine's own log is not in this build, SDBOOT_LOG=0).
rc=0; qemu_boot "$work/out" "$BL" "$work/blank.img" || rc=$?
[ "$rc" -eq 2 ] || fail "blank card: exit $rc, expected 2 (the no-card path)"
expect "$work/out" "decision: internal file system, nothing runs; event: none"
expect "$work/out" "error: operation not supported (-4)"
! grep -q "application not started" "$work/out" || fail "blank card: the loader looked for an application"
cmp -s "$work/keep.img" "$work/blank.img" || fail "the build without a formatter wrote to the blank card"
echo "ok: blank card left untouched by the build without a formatter, no-card path"

# ---- cards the board does not mount: untouched, the no-card path ----
# The port's classifier judges only the volume the driver would mount
# (SDB_FAT_PROBE_DETAIL=0, sdboot/fat.h): a boot sector there that fails a
# check is a damaged FAT (SDBOOT_EDAMAGEDFAT, -240), never mended, not even
# from a FAT32 backup boot sector that a host's boot would copy over it; a
# card with another file system is left as it is (no formatter: SDB_E_NOTSUP,
# -4). Not one byte of either is written.
untouched() { # CARD CODE WHAT
  cp --sparse=always "$1" "$work/before.img"
  rc=0; qemu_boot "$work/out" "$BL" "$1" || rc=$?
  [ "$rc" -eq 2 ] || { cat "$work/out"; fail "$3: exit $rc, expected 2 (the no-card path)"; }
  expect "$work/out" "decision: internal file system, nothing runs; event: none"
  expect "$work/out" "sdboot: error: "
  expect "$work/out" " ($2)"
  ! grep -q "application not started" "$work/out" || fail "$3: the loader looked for an application"
  cmp -s "$1" "$work/before.img" || fail "$3: the board wrote to the card"
  echo "ok: $3: left untouched, no-card path ($2)"
}
# patch_card CARD OFFSET HEXBYTES : overwrite bytes of the image in place
patch_card() {
  python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2])); f.write(bytes.fromhex(sys.argv[3]))' "$@"
}
dmg=$work/damaged.img
"$SDBOOT" image create "$dmg" --size 64M > /dev/null
patch_card "$dmg" 13 40 # 64 sectors a cluster instead of 32: the FAT no longer fits the volume
untouched "$dmg" -240 "FAT16 boot sector with a wrong cluster size"
"$SDBOOT" image create "$dmg" --size 64M --mbr --force > /dev/null
patch_card "$dmg" $((2048 * 512)) "$(python3 -c 'print("00" * 512)')" # the partition's boot sector wiped
untouched "$dmg" -240 "FAT partition without its boot sector"
"$SDBOOT" image create "$dmg" --size 64M --fat 32 --force > /dev/null
patch_card "$dmg" 14 2200 # 34 reserved sectors instead of 32; the backup at sector 6 still says 32
! "$SDBOOT" image check "$dmg" > "$work/check.out" 2>&1 &&
  grep -q "the backup boot sector is good" "$work/check.out" ||
  fail "the host no longer offers the FAT32 mend this case is about"
untouched "$dmg" -240 "FAT32 boot sector a host would mend from its backup"
# an MBR naming one NTFS partition (type 7) at 1 MiB, its boot sector there
truncate -s 0 "$dmg" && truncate -s 64M "$dmg"
patch_card "$dmg" 446 00000000070000000008000000f80100
patch_card "$dmg" 510 55aa
patch_card "$dmg" $((2048 * 512)) eb52904e5446532020202000020800 # "NTFS    ", 512 B sectors
patch_card "$dmg" $((2048 * 512 + 510)) 55aa
untouched "$dmg" -4 "card with an NTFS partition"
# a FAT12 card (under 4085 clusters: `sdboot image create` makes one up to
# 32 MiB, as the SD specification formats cards of up to 64 MB): the board's
# driver mounts FAT16 and FAT32 only (SDB_FAT12=0, sdboot/fat.h), so the
# mount refuses it with SDB_FAT_EFAT12 (-52) having read its boot sector
rm -f "$dmg"
"$SDBOOT" image create "$dmg" --size 32M | grep -q "FAT12" || fail "a 32 MiB image is no longer FAT12"
untouched "$dmg" -52 "FAT12 card (the board mounts FAT16 and FAT32 only)"

# ---- install, confirm, normal boot (SDSC, byte-addressed) ----
rel=$work/rel
pack_release "$rel" 1.0.0
card=$work/sdsc.img
"$SDBOOT" image create "$card" --size 64M > /dev/null
stage "$card" "$rel"
cp --sparse=always "$card" "$work/sim.img"
boot_app "$work/out" "$card" 1.0.0
same_sectors_as_sim "$work/out" "$work/sim.img" install
# a bootloader without deltas (SDBOOT_DELTA 0) keeps no index of the release:
# no current.idx (the OTA client then downloads whole releases), the staged
# index left in staging/ where the stager put it
"$SDBOOT" image ls "$card" /.sdboot/staging | grep -q "release\.idx" ||
  fail "the staged index is no longer in staging/"
! "$SDBOOT" image ls "$card" /.sdboot | grep -q "current\.idx" ||
  fail "a bootloader without deltas kept current.idx"
echo "ok: the install kept no index (SDBOOT_DELTA 0)"
expect "$work/out" "sdboot: card SDSC, 131072 sectors"
expect "$work/out" "event: installed; release 1.0.0 on trial"
expect "$work/out" "app: confirmed 1.0.0"
boot_app "$work/out" "$card" 1.0.0
expect "$work/out" "event: confirmed; release 1.0.0 (trial"
expect "$work/out" "(release 1.0.0, confirmed)"
cp --sparse=always "$card" "$work/sim.img"
boot_app "$work/out" "$card" 1.0.0
same_sectors_as_sim "$work/out" "$work/sim.img" "normal boot"
expect "$work/out" "event: none; release 1.0.0 (trial"
expect "$work/out" "sectors_written=0 "
fsck_clean "$card"
echo "ok: 1.0.0 installed, confirmed, normal boot writes nothing"

# damage_app CARD : one byte of /app/firmware.bin's code flipped (header
# intact, SHA-256 wrong); the good image is kept in $work/good.bin
damage_app() {
  "$SDBOOT" image get "$1" /app/firmware.bin "$work/good.bin" > /dev/null
  python3 - "$work/good.bin" "$work/bad.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[200] ^= 0xFF
open(sys.argv[2], 'wb').write(d)
PY
  "$SDBOOT" image put "$1" "$work/bad.bin" /app/firmware.bin > /dev/null
}

# ---- a release that never confirms is rolled back after its trial boots ----
pack_release "$rel" 1.1.0
stage "$card" "$rel"
boot_app "$work/out" "$card" 1.1.0
expect "$work/out" "event: installed; release 1.1.0 on trial"
expect "$work/out" "app: this build never confirms"
for trial in 1 2 3; do
  # at trial 2 the image is damaged: the repair run of that power-on counts
  # no second trial boot (issue 15)
  [ "$trial" -ne 2 ] || damage_app "$card"
  boot_app "$work/out" "$card" 1.1.0
  expect "$work/out" "release 1.1.0 on trial (trial $trial of 3)"
  if [ "$trial" -eq 2 ]; then
    expect "$work/out" "restoring the release"
    [ "$(grep -c "on trial (trial 2 of 3)" "$work/out")" -eq 2 ] && ! grep -q "trial 3 of 3" "$work/out" ||
      { cat "$work/out"; fail "the repair run counted a second trial boot"; }
  fi
done
boot_app "$work/out" "$card" 1.0.0
expect "$work/out" "event: rolled back; release 1.0.0"
boot_app "$work/out" "$card" 1.0.0
fsck_clean "$card"
echo "ok: 1.1.0 never confirmed, rolled back to 1.0.0 after 3 trial boots"

# ---- a damaged application file is restored from the kept archive ----
damage_app "$card"
boot_app "$work/out" "$card" 1.0.0
expect "$work/out" "application damaged: application image fails its SHA-256; restoring the release"
expect "$work/out" "event: repaired"
"$SDBOOT" image get "$card" /app/firmware.bin "$work/back.bin" > /dev/null
cmp -s "$work/good.bin" "$work/back.bin" || fail "firmware.bin not restored byte for byte"
fsck_clean "$card"
echo "ok: damaged firmware.bin restored and started"

# ---- a .tar.gz release is refused, the installed release keeps running ----
# The port has no gzip (SDB_TAR_GZIP=0, tar.h): the tar reader refuses the
# stream at its magic, nothing outside /.sdboot/ is written.
"$SDBOOT" pack --version 1.2.0 --gzip --out "$work/relgz" --board lm3s6965evb \
  -C "$SDB_BM_BUILD/app-1.2.0" app/firmware.bin > /dev/null
stage "$card" "$work/relgz"
"$SDBOOT" image get "$card" /app/firmware.bin "$work/before.bin" > /dev/null
boot_app "$work/out" "$card" 1.0.0
expect "$work/out" "error: release error -149 (-149)"
"$SDBOOT" image get "$card" /app/firmware.bin "$work/after.bin" > /dev/null
cmp -s "$work/before.bin" "$work/after.bin" || fail "the refused .tar.gz changed firmware.bin"
boot_app "$work/out" "$card" 1.0.0
fsck_clean "$card"
echo "ok: a .tar.gz release refused (SDB_TAR_EGZIP), 1.0.0 keeps running"

# ---- no card ----
rc=0; qemu_boot "$work/out" "$BL" - || rc=$?
[ "$rc" -eq 2 ] || fail "no card: exit $rc, expected 2"
expect "$work/out" "sdboot: no card: no card (no card (CMD0 unanswered)); internal fallback"
echo "ok: no card"

# ---- SDHC (block-addressed) card ----
sdhc=$work/sdhc.img
"$SDBOOT" image create "$sdhc" --size 4G > /dev/null
stage "$sdhc" "$rel"
boot_app "$work/out" "$sdhc" 1.1.0
expect "$work/out" "sdboot: card SDHC, 8388608 sectors"
fsck_clean "$sdhc"
echo "ok: SDHC card installs and starts"

# ---- a FAT32 backup boot sector that differs from a good primary ----
# (sectors per track changed in the backup): a host's probe judges both good
# but different and calls the card damaged, to be mended from the backup; the
# board reads no backup (SDB_FAT_PROBE_DETAIL=0, sdboot/fat.h) and mounts the
# primary, which passed every check of the FATs and directories
fat32=$work/fat32.img
"$SDBOOT" image create "$fat32" --size 64M --fat 32 > /dev/null
patch_card "$fat32" $((6 * 512 + 24)) 2100
! "$SDBOOT" image check "$fat32" > "$work/check.out" 2>&1 &&
  grep -q "the backup boot sector is good" "$work/check.out" ||
  fail "the host no longer calls a FAT32 card whose backup differs damaged"
pack_release "$work/rel-fat32" 1.0.0
stage "$fat32" "$work/rel-fat32"
cp "$fat32" "$work/fat32.before"
boot_app "$work/out" "$fat32" 1.0.0
expect "$work/out" "event: installed; release 1.0.0 on trial"
cmp -s -n 512 "$fat32" "$work/fat32.before" || fail "the board rewrote the FAT32 boot sector"
cmp -s -i 3072 -n 512 "$fat32" "$work/fat32.before" || fail "the board rewrote the FAT32 backup"
echo "ok: FAT32 card whose backup boot sector differs: mounted from its primary, both left as they were"

# ---- the port's switches: a card with 1.2.0 over 1.0.0, both confirmed, and a user file ----
sw=$work/switch.img
powercut_card "$sw" "$work/rel-sw"
boot_app "$work/out" "$sw" 1.2.0
boot_app "$work/out" "$sw" 1.2.0 # folds the confirmation in
expect "$work/out" "(release 1.2.0, confirmed)"

# kept CARD TAG : copies of what must not change (release, archives, records, user file)
kept() {
  for f in /app/firmware.bin /.sdboot/current.tar /.sdboot/previous.tar /.sdboot/current.rec \
    /.sdboot/previous.rec /data/user.txt; do
    "$SDBOOT" image get "$1" "$f" "$work/$2.$(basename "$f")" > /dev/null
  done
}
# same_kept TAG1 TAG2 WHAT : every file kept() copied is byte for byte the same
same_kept() {
  for f in firmware.bin current.tar previous.tar current.rec previous.rec user.txt; do
    cmp -s "$work/$1.$f" "$work/$2.$f" || fail "$3: $f changed"
  done
}
# stage_elsewhere CARD VERSION : VERSION staged on CARD without the version
# policy, as a stager that got it wrong (or wrote the card itself) would: the
# staging record and archive made on a new card, copied over
stage_elsewhere() {
  local other=$work/other.img
  rm -f "$other"
  "$SDBOOT" image create "$other" --size 32M > /dev/null
  rm -rf "$work/rel-$2"
  pack_release "$work/rel-$2" "$2"
  stage "$other" "$work/rel-$2"
  "$SDBOOT" image get "$other" /.sdboot/staging/pending "$work/pending" > /dev/null
  "$SDBOOT" image get "$other" /.sdboot/staging/release.tar "$work/release.tar" > /dev/null
  "$SDBOOT" image put "$1" "$work/pending" /.sdboot/staging/pending > /dev/null
}

# A hostile or broken stage: 1.0.0's record beside its archive with one byte
# changed. The hash check stays in every build: refused, nothing changed but
# the state, the staged files gone.
kept "$sw" before
stage_elsewhere "$sw" 1.0.0
python3 - "$work/release.tar" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read())
d[len(d) // 2] ^= 0x01
open(sys.argv[1], 'wb').write(d)
PY
"$SDBOOT" image put "$sw" "$work/release.tar" /.sdboot/staging/release.tar > /dev/null
boot_app "$work/out" "$sw" 1.2.0
expect "$work/out" "event: install failed; release 1.2.0 (trial"
expect "$work/out" "sdboot: error: release error -119 (-119)"
kept "$sw" after
same_kept before after "a refused stage"
! "$SDBOOT" image ls "$sw" /.sdboot/staging | grep -qE "pending|release\.tar" ||
  fail "the refused stage was left in /.sdboot/staging"
fsck_clean "$sw"
echo "ok: a staged archive that fails its SHA-256 is refused, nothing changed"

# The same 1.0.0, intact, below the installed 1.2.0: the host's boot (every
# feature) refuses it as older; the board, built without the version re-check
# (SDBOOT_VERSION_CHECK 0), installs it, 1.2.0 kept as the rollback target.
stage_elsewhere "$sw" 1.0.0
"$SDBOOT" image put "$sw" "$work/release.tar" /.sdboot/staging/release.tar > /dev/null
cp --sparse=always "$sw" "$work/sim.img"
"$SDBOOT" sim boot --card "$work/sim.img" --entry /app/firmware.bin --board lm3s6965evb \
  --no-arena > "$work/sim.out" 2>&1 || true
grep -q "offered version is not newer than the installed one" "$work/sim.out" ||
  { cat "$work/sim.out"; fail "the host boot did not refuse the older release"; }
boot_app "$work/out" "$sw" 1.0.0
expect "$work/out" "event: installed; release 1.0.0 on trial"
expect "$work/out" "app: confirmed 1.0.0"
"$SDBOOT" image get "$sw" /.sdboot/previous.tar "$work/prev.tar" > /dev/null
cmp -s "$work/prev.tar" "$work/before.current.tar" || fail "1.2.0's archive is not the rollback target"
"$SDBOOT" image get "$sw" /data/user.txt "$work/user.back" > /dev/null
cmp -s "$work/user.back" "$work/before.user.txt" || fail "the user file changed"
fsck_clean "$sw"
echo "ok: an older staged release is installed by the build without the version re-check"

# Both state records lost (SDBOOT_REBUILD 0): the release that is installed
# runs, as "unknown" and confirmed; nothing but the two records is written.
boot_app "$work/out" "$sw" 1.0.0 # folds the confirmation in
kept "$sw" before
head -c 512 /dev/zero > "$work/zero.rec"
"$SDBOOT" image put "$sw" "$work/zero.rec" /.sdboot/state.a > /dev/null
"$SDBOOT" image put "$sw" "$work/zero.rec" /.sdboot/state.b > /dev/null
rc=0; qemu_boot "$work/out" "$BL" "$sw" || rc=$?
[ "$rc" -eq 0 ] || { cat "$work/out"; fail "lost state: boot exit $rc"; }
expect "$work/out" "event: state rebuilt; release unknown (trial 0 of 3)"
expect "$work/out" "app: hello from application 1.0.0 (release unknown, confirmed)"
kept "$sw" after
same_kept before after "a lost state"
fsck_clean "$sw"
rc=0; qemu_boot "$work/out" "$BL" "$sw" || rc=$?
[ "$rc" -eq 0 ] || { cat "$work/out"; fail "after a lost state: boot exit $rc"; }
expect "$work/out" "event: none; release unknown (trial 0 of 3)"
expect "$work/out" "app: hello from application 1.0.0 (release unknown, confirmed)"
expect "$work/out" "sectors_written=0 "
# and the next release installs over it, the running one its rollback target
stage "$sw" "$work/rel-sw"
boot_app "$work/out" "$sw" 1.2.0
expect "$work/out" "event: installed; release 1.2.0 on trial"
"$SDBOOT" image get "$sw" /.sdboot/previous.tar "$work/prev.tar" > /dev/null
cmp -s "$work/prev.tar" "$work/before.current.tar" || fail "after a lost state: the archive that ran is not the rollback target"
fsck_clean "$sw"
echo "ok: both state records lost: the release runs as unknown, nothing lost, the next install goes on"
