# Helpers for the QEMU tests of the bare-metal port (sourced, not run), on top
# of card_lib.sh. SDB_BM_BUILD: the cross build (ELFs); SDBOOT: the host CLI.
source "$(dirname "${BASH_SOURCE[0]}")/card_lib.sh"
: "${SDB_BM_BUILD:?SDB_BM_BUILD must name the bare-metal build directory}"

# qemu_boot OUT ELF IMAGE|- [ARG...] : one power-on of the board. The UART goes
# to OUT; the guest's exit code (semihosting) is returned. IMAGE "-" = no card.
qemu_boot() {
  local out=$1 elf=$2 img=$3; shift 3
  local drive=() semi="enable=on,target=native,arg=sdboot"
  [ "$img" = "-" ] || drive=(-drive "if=sd,format=raw,file=$img")
  for a in "$@"; do semi+=",arg=$a"; done
  local rc=0
  timeout 60 qemu-system-arm -M lm3s6965evb -display none -monitor none -serial stdio \
    -semihosting-config "$semi" -kernel "$elf" "${drive[@]}" > "$out" 2> "$out.err" || rc=$?
  [ "$rc" -ne 124 ] || fail "QEMU did not finish within 60 s ($elf $*)"
  return "$rc"
}

# crc32_of IMAGE FIRST_SECTOR COUNT : zlib CRC-32 of sectors, as 8 hex digits.
crc32_of() {
  python3 - "$@" <<'PY'
import sys, zlib
with open(sys.argv[1], 'rb') as f:
    f.seek(int(sys.argv[2]) * 512)
    print('%08x' % zlib.crc32(f.read(int(sys.argv[3]) * 512)))
PY
}

BL=$SDB_BM_BUILD/sdboot_bl.elf
[ -f "$BL" ] || fail "missing $BL (make baremetal)"

# pack_release DIR VERSION : append the example application VERSION to the
# release directory DIR (sdboot pack, plain tar: this port has no gzip).
pack_release() {
  "$SDBOOT" pack --version "$2" --out "$1" --board lm3s6965evb -C "$SDB_BM_BUILD/app-$2" \
    app/firmware.bin > /dev/null
}

# boot_app OUT CARD VERSION [ARG...] : a power-on that must start VERSION.
boot_app() {
  local out=$1 card=$2 v=$3; shift 3
  local rc=0
  qemu_boot "$out" "$BL" "$card" "$@" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$out"; fail "boot exit $rc, expected application $v"; }
  expect "$out" "app: hello from application $v (release $v"
}

# qemu_sigkill IMAGE MS : power the board on with IMAGE and SIGKILL QEMU after
# MS milliseconds (a power cut at a random moment). Sets $kill_status to the
# exit status QEMU had (137: killed mid-boot; else it had finished).
qemu_sigkill() {
  # qemu itself in the background (not under timeout: its pid is the one to kill)
  qemu-system-arm -M lm3s6965evb -display none -monitor none -serial null \
    -semihosting-config enable=on,target=native,arg=sdboot -kernel "$BL" \
    -drive "if=sd,format=raw,file=$1" 2> /dev/null &
  local pid=$!
  sleep "$(awk -v ms="$2" 'BEGIN { printf "%.3f", ms / 1000 }')"
  kill -9 "$pid" 2> /dev/null || true
  kill_status=0; wait "$pid" 2> /dev/null || kill_status=$?
  ! kill -0 "$pid" 2> /dev/null || fail "QEMU $pid survived SIGKILL"
}

# powercut_card CARD DIR : the power-cut tests' card, 64 MiB FAT16 (4093
# clusters of 16 KiB: a boot reads a few hundred sectors; the board mounts no
# FAT12): /data/user.txt (a copy in $work/user.txt), 1.0.0 installed and
# confirmed, 1.2.0 staged; DIR holds both releases.
powercut_card() {
  "$SDBOOT" image create "$1" --size 64M > /dev/null
  printf 'user data, not part of any release\n' > "$work/user.txt"
  "$SDBOOT" image mkdir "$1" /data > /dev/null
  "$SDBOOT" image put "$1" "$work/user.txt" /data/user.txt > /dev/null
  pack_release "$2" 1.0.0
  stage "$1" "$2"
  boot_app "$work/out" "$1" 1.0.0
  boot_app "$work/out" "$1" 1.0.0 # folds the confirmation in
  pack_release "$2" 1.2.0
  stage "$1" "$2"
}
