#!/usr/bin/env bash
# Flash footprint of the core and of the bare-metal bootloader, per layer and
# per object, and the core's worst-case stack; `make footprint` runs it,
# `make bench` writes its figures into docs/BENCHMARKS.md.
#
# usage: scripts/footprint.sh [--defaults] [--full] [--summary|--layers|--stack] [BUILD_DIR]
#
# 1. The core alone: every file of src/ compiled as the bare-metal port
#    compiles it (its configuration macros, read from ports/baremetal/
#    CMakeLists.txt; --defaults: the core's own defaults instead), for
#    Cortex-M4 -Os -mthumb, -ffunction-sections -fdata-sections, linked with
#    --gc-sections from sdboot_boot and sdboot_confirm (--full: and the OTA
#    client, sdboot_ota_install_update_if_available). Whatever lies outside the
#    core (libc, the compiler's runtime, the port's hash, inflate and signature
#    ops) is left unresolved: not counted. Linked twice:
#    - without LTO (core_flash): per layer, object and function, and what
#      --layers, the switch table and the before/after columns of
#      docs/BENCHMARKS.md compare, because LTO merges the objects (nothing
#      is left to attribute) and shifts its inlining by tens of bytes with
#      unrelated changes;
#    - with LTO, as the bootloader is really built (core_flash_lto, the
#      flags of ports/baremetal/CMakeLists.txt: -flto=auto). THIS is the
#      number compared to issue 15's 24 KiB goal: it is what the core costs
#      in a device's flash, and the bootloader goal is measured on the same
#      kind of link.
# 2. The bootloader as linked for the board (BUILD_DIR/baremetal/sdboot_bl.elf,
#    from `make baremetal`, with LTO): its flash (bootloader_flash, compared to
#    the 32 KiB goal); per layer from the map of the same program linked
#    without LTO (sdboot_bl_nolto.elf, bootloader_flash_nolto), read by
#    ports/baremetal/footprint.py.
# --summary prints "key value" lines, --layers "layer<TAB>bytes" of the core,
# --stack the worst-case call path (for scripts/bench.sh); without them, all
# of it for a reader. SDB_FOOTPRINT_CFLAGS adds compiler flags (to try some);
# SDB_FOOTPRINT_SET="NAME=VALUE ..." sets configuration macros over the port's
# (what one of its switches costs: scripts/bench.sh);
# SDB_FOOTPRINT_WORK=DIR keeps the objects, core.map and core.elf in DIR
# (core_lto.elf and core_lto.map: the LTO link).
set -euo pipefail
mode=all defaults=0 roots=(sdboot_boot sdboot_confirm)
while [ $# -gt 0 ]; do
  case $1 in
  --defaults) defaults=1 ;;
  --full) roots+=(sdboot_ota_install_update_if_available) ;;
  --summary | --layers | --stack) mode=${1#--} ;;
  *) break ;;
  esac
  shift
done
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${SDB_FOOTPRINT_WORK:-}" ]; then # keep the objects, map and ELF there
  work=$SDB_FOOTPRINT_WORK; rm -rf "$work"; mkdir -p "$work"
else
  work=$(mktemp -d /tmp/sdb-footprint-XXXXXX)
  trap 'rm -rf "$work"' EXIT
fi

# The port's configuration of the core: its target_compile_definitions line.
defs=$(awk '/^target_compile_definitions\(sdb_bm_core PUBLIC/ {on = 1; sub(/.*PUBLIC/, "")}
  on {line = line " " $0} on && /\)/ {on = 0} END {sub(/\).*/, "", line); print line}' \
  "$src/ports/baremetal/CMakeLists.txt" | xargs)
flags=(-Os -mthumb -mcpu=cortex-m4 -std=c11 -ffunction-sections -fdata-sections -fstack-usage
       -fcallgraph-info=su -I"$src/include" ${SDB_FOOTPRINT_CFLAGS:-})
[ $defaults -eq 0 ] || defs=""
for set in ${SDB_FOOTPRINT_SET:-}; do # replace NAME's value, or add it
  defs="$(for d in $defs; do [ "${d%%=*}" = "${set%%=*}" ] || echo "$d"; done | xargs) $set"
done
for d in $defs; do flags+=("-D$d"); done
cd "$src"
lto=(-flto=auto) # as ports/baremetal/CMakeLists.txt builds (CMAKE_INTERPROCEDURAL_OPTIMIZATION)
mkdir -p "$work/lto"
for f in src/*/*.c; do
  o=$(basename "${f%.c}").o
  arm-none-eabi-gcc "${flags[@]}" -c "$f" -o "$work/$o" -dumpdir "$work/"
  arm-none-eabi-gcc "${flags[@]}" "${lto[@]}" -c "$f" -o "$work/lto/$o" -dumpdir "$work/lto/"
done
undefined=(); for r in "${roots[@]}"; do undefined+=("-Wl,-u,$r"); done
link_core() { # NAME OBJECT_DIR [FLAGS...]
  local name=$1 dir=$2; shift 2
  arm-none-eabi-gcc -Os -mthumb -mcpu=cortex-m4 "$@" -nostartfiles -nostdlib -Wl,--gc-sections \
    -Wl,--unresolved-symbols=ignore-all -Wl,-e,sdboot_boot "${undefined[@]}" \
    -Wl,-Map,"$work/$name.map" "$dir"/*.o -o "$work/$name.elf"
}
sizes() { # ELF: .text .rodata .data .bss
  arm-none-eabi-size -A "$1" | awk '
    $1 ~ /^\.text/ {t+=$2} $1 ~ /^\.rodata/ {r+=$2} $1 ~ /^\.(data|persistent)/ {d+=$2}
    $1 ~ /^\.bss/ {b+=$2} END {print t, r, d, b}'
}
link_core core "$work" -fno-lto
link_core core_lto "$work/lto" "${lto[@]}" 2>/dev/null
read -r core_text core_ro core_data core_bss < <(sizes "$work/core.elf")
core=$((core_text + core_ro))
read -r lto_text lto_ro _ _ < <(sizes "$work/core_lto.elf")
core_lto=$((lto_text + lto_ro))
# Worst-case stack from sdboot_boot over the call graph: the tar reader's
# callbacks charged their deepest target (extract, repair, ownership), the
# check's note and ownership callbacks the boot's own, the port's block device,
# log output and error lookup not counted (ports/baremetal: .su of its files).
stack=$(python3 scripts/stack_depth.py --indirect '^(extract|repair|no|note)_(begin|data|end|entry)$' \
  --indirect-from '^problem_at(\..*)?$=^check_note$' --indirect-from '^check_note$=^log_note$' \
  --indirect-from '^walk_tree$=^check_owns$' \
  --port-calls '^(sdb_bd_(read|write|sync)|boot_log|sdb_strerror)$' sdboot_boot "$work"/*.ci || true)

bl=$build/baremetal/sdboot_bl.elf bl_plain=$build/baremetal/sdboot_bl_nolto
bl_flash=-; bl_ram=-; bl_flash_plain=-
bl_size() { # ELF: flash RAM
  arm-none-eabi-size -A "$1" | awk '
    $1 == ".text" || $1 == ".ARM.exidx" {t += $2} $1 == ".data" {d += $2}
    $1 == ".bss" || $1 == ".api" {b += $2} END {print t + d, d + b}'
}
[ ! -f "$bl" ] || read -r bl_flash bl_ram < <(bl_size "$bl")
[ ! -f "$bl_plain.elf" ] || read -r bl_flash_plain _ < <(bl_size "$bl_plain.elf")

case $mode in
summary)
  echo "core_flash $core"
  echo "core_flash_lto $core_lto"
  echo "core_text $core_text"
  echo "core_rodata $core_ro"
  echo "core_static_ram $((core_data + core_bss))"
  echo "core_stack $(echo "$stack" | head -1 | grep -o '[0-9]* bytes' | cut -d' ' -f1)"
  echo "core_config ${defs:-defaults}"
  echo "core_roots ${roots[*]}"
  echo "bootloader_flash $bl_flash"
  echo "bootloader_flash_nolto $bl_flash_plain"
  echo "bootloader_static_ram $bl_ram"
  exit 0 ;;
layers)
  python3 ports/baremetal/footprint.py "$work/core.map" "$src" | cut -f1,2 | sed 's/^core: //'
  exit 0 ;;
stack)
  echo "$stack" | sed 's|'"$src"'/||g'
  exit 0 ;;
esac

echo "Core alone (config: ${defs:-defaults}), linked from ${roots[*]}:"
echo "  with LTO, as the bootloader is built: .text $lto_text B, .rodata $lto_ro B: $core_lto B (goal 24576 B)"
echo "  without LTO (the rows below): .text $core_text B, .rodata $core_ro B: $core B; static RAM $((core_data + core_bss)) B"
echo
echo "Worst-case stack from sdboot_boot (call graph, -fstack-usage):"
echo "$stack" | sed -n '1,16p' | sed 's|'"$src"'/||g; s/^/  /'
echo
echo "Per layer (flash B):"
python3 ports/baremetal/footprint.py "$work/core.map" "$src" | awk -F'\t' '{printf "  %-34s %6d\n", $1, $2}'
echo
echo "Per object, largest first (flash B):"
python3 ports/baremetal/footprint.py --objects "$work/core.map" "$src" |
  awk -F'\t' '{printf "  %-34s %6d\n", $1, $2}'
echo
echo "Largest functions and tables:"
arm-none-eabi-nm --size-sort -S -t d "$work/core.elf" | tail -15 | awk '{printf "  %-34s %6d\n", $4, $2}'
if [ -f "$bl" ]; then
  echo
  echo "Bootloader $bl: flash $bl_flash B (goal 32768 B), static RAM $bl_ram B"
  if [ -f "$bl_plain.map" ]; then
    echo "Per layer, linked without LTO ($bl_plain.elf: flash $bl_flash_plain B), flash and RAM B:"
    python3 ports/baremetal/footprint.py "$bl_plain.map" "$src" |
      awk -F'\t' '{printf "  %-34s %6d %6d\n", $1, $2, $3}'
  fi
fi
