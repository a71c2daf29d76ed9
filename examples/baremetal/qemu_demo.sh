#!/usr/bin/env bash
# make qemu-demo: the bare-metal port's story on QEMU's lm3s6965evb, one
# power-on per QEMU run, the board's console shown as it is.
# Usage: examples/baremetal/qemu_demo.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
bm=$build/baremetal
sdboot=$build/sdboot
work=$(mktemp -d /tmp/sdb-qemu-demo-XXXXXX)
trap 'rm -rf "$work"' EXIT
card=$work/card.img

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
power_on() { # [CARD] : one boot; the console, indented
  local drive=()
  [ -z "${1:-}" ] || drive=(-drive "if=sd,format=raw,file=$1")
  timeout 120 qemu-system-arm -M lm3s6965evb -display none -monitor none -serial stdio \
    -semihosting-config enable=on,target=native,arg=sdboot -kernel "$bm/sdboot_bl.elf" \
    "${drive[@]}" 2> /dev/null | sed 's/^/    /' || true
}
pack() { "$sdboot" pack --version "$1" --out "$work/rel" --board lm3s6965evb -C "$bm/app-$1" \
  app/firmware.bin | sed 's/^/  host: /'; }
stage() { "$sdboot" sim stage --card "$card" --release "$work/rel" --allow-unsigned \
  --board lm3s6965evb | grep -v '^  sim:' | sed 's/^/  host: /'; }

say "power on without a card: the no-card path, nothing runs"
power_on
say "a blank 64 MiB card: left untouched (this bootloader has no formatter, SDB_FAT_MKFS=0), the no-card path"
truncate -s 64M "$card"
power_on "$card"
say "the host formats the card, as cards for this device are prepared"
rm -f "$card"
"$sdboot" image create "$card" --size 64M | sed 's/^/  host: /'
say "the host packs application 1.0.0 and stages it on the card"
pack 1.0.0
stage
say "power on: install 1.0.0, start it; it confirms"
power_on "$card"
say "application 1.1.0 never confirms"
pack 1.1.0
stage
for i in 1 2 3 4; do
  say "power on ($i)"
  power_on "$card"
done
say "power on: three unconfirmed boots were enough, back on 1.0.0"
power_on "$card"
say "the application file gets damaged (one byte flipped on the card)"
"$sdboot" image get "$card" /app/firmware.bin "$work/fw.bin" > /dev/null
python3 -c "import sys; d = bytearray(open(sys.argv[1], 'rb').read()); d[300] ^= 1; open(sys.argv[1], 'wb').write(d)" "$work/fw.bin"
"$sdboot" image put "$card" "$work/fw.bin" /app/firmware.bin > /dev/null
power_on "$card"
say "the card, checked by fsck.fat -n"
fsck.fat -n "$card" | sed 's/^/  /'
