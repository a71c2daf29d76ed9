#!/usr/bin/env bash
# FAT interop, both ways, for FAT12/16/32 and several cluster sizes:
#  1. images made by mkfs.fat and populated by mcopy/mmd are read back by our
#     driver (sdboot image get/ls) byte-exact, including a fragmented file;
#  2. images made and written by our driver pass fsck.fat -n (exit 0 and only
#     its two lines) and mcopy reads every file back byte-exact.
set -euo pipefail
: "${SDBOOT:?}"
export MTOOLS_SKIP_CHECK=1 TZ=UTC SOURCE_DATE_EPOCH=1700000000
work=$(mktemp -d /tmp/sdb-interop-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
fails=0
pass=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { pass=$((pass + 1)); }

fsck_clean() {
  local out
  out=$(fsck.fat -n "$1" 2>&1) || { echo "$out"; return 1; }
  [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || { echo "$out"; return 1; }
}

# Reference files: sizes around sector and cluster boundaries, long names, nesting.
mkdir -p src/app/lib/deep
head -c 0 /dev/urandom > src/empty.bin
head -c 1 /dev/urandom > src/one.bin
head -c 511 /dev/urandom > src/s511.bin
head -c 512 /dev/urandom > src/s512.bin
head -c 513 /dev/urandom > src/s513.bin
head -c 70000 /dev/urandom > "src/app/A file with a rather long name.dat"
head -c 4096 /dev/urandom > src/app/lib/deep/x.py
head -c 123457 /dev/urandom > src/big.bin
files=(empty.bin one.bin s511.bin s512.bin s513.bin "app/A file with a rather long name.dat" app/lib/deep/x.py big.bin)

# mkfs.fat type, size in KiB, sectors per cluster
configs=("12 1440 1" "12 8192 8" "16 32768 1" "16 65536 8" "32 98304 1" "32 262144 4")

for cfg in "${configs[@]}"; do
  read -r fat kib spc <<<"$cfg"
  img="ref$fat-$spc.img"
  rm -f "$img"
  mkfs.fat --invariant -F "$fat" -s "$spc" -C "$img" "$kib" >/dev/null
  mmd -i "$img" ::/app ::/app/lib ::/app/lib/deep
  # Fragment: fill, delete every other file, then add the big file.
  for i in 1 2 3 4 5 6; do head -c 3000 /dev/urandom > "pad$i"; mcopy -i "$img" "pad$i" "::/pad$i"; done
  for i in 1 3 5; do mdel -i "$img" "::/pad$i"; done
  for f in "${files[@]}"; do mcopy -i "$img" "src/$f" "::/$f"; done
  for f in "${files[@]}"; do
    rm -f got
    if "$SDBOOT" image get "$img" "/$f" got && cmp -s got "src/$f"; then ok; else fail "FAT$fat s$spc: our driver read /$f wrong"; fi
  done
  "$SDBOOT" image ls "$img" /app | grep -q "A file with a rather long name.dat" && ok || fail "FAT$fat: long name not listed"
  "$SDBOOT" image check "$img" >/dev/null && ok || fail "FAT$fat s$spc: our check finds damage in a mkfs.fat image"

  # Our driver writes into the mkfs.fat image: fsck and mtools must agree.
  "$SDBOOT" image put "$img" src/s513.bin "/app/lib/written by sdboot.bin"
  "$SDBOOT" image rm "$img" /pad2
  "$SDBOOT" image put "$img" src/big.bin /app/big2.bin
  fsck_clean "$img" && ok || fail "FAT$fat s$spc: fsck after our writes"
  mcopy -n -o -i "$img" "::/app/lib/written by sdboot.bin" got2 && cmp -s got2 src/s513.bin && ok || fail "FAT$fat: mtools read our file"
  mcopy -n -o -i "$img" "::/app/big2.bin" got3 && cmp -s got3 src/big.bin && ok || fail "FAT$fat: mtools read our big file"
done

# Images made by our mkfs and written only by our driver.
for cfg in "12 4M" "16 32M" "32 64M" "0 2M" "0 20M" "0 100M"; do
  read -r fat size <<<"$cfg"
  img="ours-$fat-$size.img"
  rm -f "$img"
  if [ "$fat" = 0 ]; then "$SDBOOT" image create "$img" --size "$size" >/dev/null
  else "$SDBOOT" image create "$img" --size "$size" --fat "$fat" >/dev/null; fi
  fsck_clean "$img" && ok || fail "our mkfs FAT$fat $size: fsck on the empty volume"
  "$SDBOOT" image mkdir "$img" /app
  "$SDBOOT" image mkdir "$img" /app/lib
  "$SDBOOT" image mkdir "$img" /app/lib/deep
  for f in "${files[@]}"; do "$SDBOOT" image put "$img" "src/$f" "/$f"; done
  fsck_clean "$img" && ok || fail "our mkfs FAT$fat $size: fsck after writes"
  for f in "${files[@]}"; do
    rm -f got
    mcopy -n -i "$img" "::/$f" got && cmp -s got "src/$f" && ok || fail "our FAT$fat $size: mtools read /$f"
  done
  mdir -i "$img" ::/app | grep -q "A file with a rather long name.dat" && ok || fail "our FAT$fat: mdir long name"
done

echo "fat interop: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
