#!/usr/bin/env bash
# The core is portable: every file of src/ and every public header compiles
# for a Cortex-M4 with only include/ and the cross compiler's libc (no host
# header: mbedTLS, zlib, POSIX), and the boot engine linked from sdboot_boot
# needs nothing but libc, the compiler's runtime and the port's ops
# (hash.h and inflate.h backends). Fails, never skips, without the compiler.
set -euo pipefail
src=${SDB_SRC:?}
work=$(mktemp -d /tmp/sdb-portable-XXXXXX)
trap 'rm -rf "$work"' EXIT
cc=arm-none-eabi-gcc
command -v $cc >/dev/null || { echo "FAIL: $cc missing (scripts/deps.sh installs it)"; exit 1; }
target=(-std=c11 -Os -mcpu=cortex-m4 -mthumb)
fail=0

# 1. Every core file, syntax only, exactly as a port would compile it.
cd "$src"
files=(src/blockdev/*.c src/util/*.c src/fat/*.c src/boot/*.c src/release/*.c src/ota/*.c
       src/common/*.c)
for f in "${files[@]}"; do
  if ! $cc "${target[@]}" -fsyntax-only -Wall -Wextra -Werror -Iinclude "$f" 2> "$work/err"; then
    echo "FAIL: $f does not compile for Cortex-M4 with include/ and libc only:"
    head -5 "$work/err"
    fail=1
  fi
done
echo "compiled for cortex-m4: ${#files[@]} files of src/"

# 2. Every public header on its own (no third-party header behind it).
headers=(include/sdboot/*.h)
for h in "${headers[@]}"; do
  if ! $cc "${target[@]}" -fsyntax-only -Wall -Wextra -Werror -Iinclude -x c "$h" 2> "$work/err"; then
    echo "FAIL: $h needs more than include/ and libc:"
    head -5 "$work/err"
    fail=1
  fi
done
echo "compiled for cortex-m4: ${#headers[@]} public headers"
for host_only in bd_file.h host.h host_serve.h transport_curl.h; do
  if [ -e "include/sdboot/$host_only" ]; then
    echo "FAIL: include/sdboot/$host_only is host-only (belongs under ports/posix/)"
    fail=1
  fi
done
[ $fail -eq 0 ] || exit 1

# 3. Link the boot engine from sdboot_boot; whatever stays undefined must be
#    libc, libgcc or a port op.
for f in "${files[@]}"; do
  $cc "${target[@]}" -ffunction-sections -fdata-sections -Iinclude -c "$f" \
    -o "$work/$(echo "${f%.c}" | tr / _).o"
done
$cc -mthumb -mcpu=cortex-m4 -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-e,sdboot_boot \
  -Wl,-u,sdboot_boot -Wl,--unresolved-symbols=ignore-all "$work"/*.o -o "$work/boot.elf"
arm-none-eabi-nm -u "$work/boot.elf" | awk '{print $2}' | sort -u > "$work/undefined"
libs=("$($cc "${target[@]}" -print-file-name=libc.a)" "$($cc "${target[@]}" -print-libgcc-file-name)")
arm-none-eabi-nm -g --defined-only "${libs[@]}" 2>/dev/null | awk 'NF == 3 {print $3}' | sort -u \
  > "$work/runtime"
port_ops='^(sdb_sha256_(init|update|finish)|sdb_sha1_(init|update|finish)|sdb_inflate_(init|run))$'
echo "sdboot_boot needs from outside the core:"
while read -r sym; do
  if grep -Eq "$port_ops" <<< "$sym"; then
    echo "  port op  $sym"
  elif grep -qx -- "$sym" "$work/runtime"; then
    echo "  libc     $sym"
  else
    echo "FAIL: sdboot_boot needs $sym, which neither libc nor a port op provides"
    fail=1
  fi
done < "$work/undefined"
# The boot path verifies the staged SHA-256 and inflates .tar.gz through the port.
for op in sdb_sha256_init sdb_sha256_update sdb_sha256_finish sdb_inflate_init sdb_inflate_run; do
  grep -qx "$op" "$work/undefined" || { echo "FAIL: $op is not a port op of the boot link"; fail=1; }
done
# No allocator on the boot path.
if grep -Ex 'malloc|calloc|realloc|free|_malloc_r|_sbrk' "$work/undefined"; then
  echo "FAIL: the boot link references an allocator"
  fail=1
fi
arm-none-eabi-size "$work/boot.elf" | sed 's/^/  /'
exit $fail
