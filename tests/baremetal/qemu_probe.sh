#!/usr/bin/env bash
# The SD-over-SPI driver under QEMU (lm3s6965evb, card on SSI0): bring-up,
# size, CMD17/CMD18 reads, CMD24/CMD25 writes, on an SDSC card (64 MiB), an
# SDSC card at the 2 GiB limit (byte addresses up to 2^31), an SDHC card
# (4 GiB, block addresses), and no card at all.
source "$(dirname "$0")/qemu_lib.sh"
probe=$SDB_BM_BUILD/sdprobe.elf
[ -f "$probe" ] || fail "missing $probe (make baremetal)"

# pattern_crc : CRC-32 of the 8-sector pattern sdprobe writes
pattern_crc=$(python3 -c "import zlib; print('%08x' % zlib.crc32(bytes((i * 7 + 3) & 255 for i in range(4096))))")

check_card() { # IMAGE SECTORS KIND
  local img=$1 sectors=$2 kind=$3
  local s0 s07
  s0=$(crc32_of "$img" 0 1); s07=$(crc32_of "$img" 0 8)
  qemu_boot "$work/out" "$probe" "$img" rw=1 || fail "probe exit $? on $kind"
  expect "$work/out" "probe: card $kind v2, $sectors sectors"
  expect "$work/out" "sector 0 signature"
  expect "$work/out" "crc32=$s0"
  expect "$work/out" "probe: sectors 0-7 crc32=$s07"
  expect "$work/out" "probe: wrote sectors $((sectors - 9))-$((sectors - 1)) crc32=$pattern_crc"
  # the image itself holds what the guest wrote, where it wrote it
  [ "$(crc32_of "$img" $((sectors - 8)) 8)" = "$pattern_crc" ] || fail "$kind: CMD25 data not in the image"
  python3 - "$img" $((sectors - 9)) <<'PY' || fail "$kind: CMD24 sector not in the image"
import sys
with open(sys.argv[1], 'rb') as f:
    f.seek(int(sys.argv[2]) * 512)
    sys.exit(0 if f.read(512) == b'\xa5' * 512 else 1)
PY
  # nothing else changed: sectors 0-7 and the one before the pattern
  [ "$(crc32_of "$img" 0 8)" = "$s07" ] || fail "$kind: sectors 0-7 changed"
  echo "ok: $kind $sectors sectors"
}

truncate -s 64M "$work/sdsc.img"
mkfs.fat -F 32 "$work/sdsc.img" > /dev/null
check_card "$work/sdsc.img" 131072 SDSC
expect "$work/out" "sector 0 signature 55aa"
expect "$work/out" "crc on"
# bring-up: CMD0 CMD8 CMD59 (CMD55 ACMD41) x2 CMD58 CMD9 CMD16
expect "$work/out" "probe: bring-up: commands=10 "
expect "$work/out" "blocks_read=26 blocks_written=9 crc_errors=0 retries=0"

truncate -s 2G "$work/sdsc2g.img"
check_card "$work/sdsc2g.img" 4194304 SDSC

truncate -s 4G "$work/sdhc.img"
check_card "$work/sdhc.img" 8388608 SDHC
# no CMD16 on a block-addressed card
expect "$work/out" "probe: bring-up: commands=9 "

rc=0; qemu_boot "$work/out" "$probe" - || rc=$?
[ "$rc" -eq 2 ] || fail "no card: exit $rc, expected 2"
expect "$work/out" "probe: no card (no card (CMD0 unanswered))"
echo "ok: no card"
