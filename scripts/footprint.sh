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
#    ops) is left unresolved: not counted.
# 2. The bootloader as linked for the board (BUILD_DIR/baremetal/sdboot_bl.elf,
#    from `make baremetal`): its map read by ports/baremetal/footprint.py.
# --summary prints "key value" lines, --layers "layer<TAB>bytes" of the core,
# --stack the worst-case call path (for scripts/bench.sh); without them, all
# of it for a reader. SDB_FOOTPRINT_CFLAGS adds compiler flags (to try some);
# SDB_FOOTPRINT_SET="NAME=VALUE ..." sets configuration macros over the port's
# (what one of its switches costs: scripts/bench.sh);
# SDB_FOOTPRINT_WORK=DIR keeps the objects, core.map and core.elf in DIR.
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
for f in src/*/*.c; do
  arm-none-eabi-gcc "${flags[@]}" -c "$f" -o "$work/$(basename "${f%.c}").o" -dumpdir "$work/"
done
undefined=(); for r in "${roots[@]}"; do undefined+=("-Wl,-u,$r"); done
arm-none-eabi-gcc -mthumb -mcpu=cortex-m4 -nostartfiles -nostdlib -Wl,--gc-sections \
  -Wl,--unresolved-symbols=ignore-all -Wl,-e,sdboot_boot "${undefined[@]}" \
  -Wl,-Map,"$work/core.map" "$work"/*.o -o "$work/core.elf"
read -r core_text core_ro core_data core_bss < <(arm-none-eabi-size -A "$work/core.elf" | awk '
  $1 ~ /^\.text/ {t+=$2} $1 ~ /^\.rodata/ {r+=$2} $1 ~ /^\.(data|persistent)/ {d+=$2}
  $1 ~ /^\.bss/ {b+=$2} END {print t, r, d, b}')
core=$((core_text + core_ro))
# Worst-case stack from sdboot_boot over the call graph: the tar reader's
# callbacks charged their deepest target (extract, repair, ownership), the
# check's note and ownership callbacks the boot's own, the port's block device,
# log output and error lookup not counted (ports/baremetal: .su of its files).
stack=$(python3 scripts/stack_depth.py --indirect '^(extract|repair|no|note)_(begin|data|end|entry)$' \
  --indirect-from '^problem_at(\..*)?$=^check_note$' --indirect-from '^check_note$=^log_note$' \
  --indirect-from '^walk_tree$=^check_owns$' \
  --port-calls '^(sdb_bd_(read|write|sync)|boot_log|sdb_strerror)$' sdboot_boot "$work"/*.ci || true)

bl=$build/baremetal/sdboot_bl.elf
bl_flash=-; bl_ram=-
if [ -f "$bl" ]; then
  read -r bl_flash bl_ram < <(arm-none-eabi-size -A "$bl" | awk '
    $1 == ".text" || $1 == ".ARM.exidx" {t += $2} $1 == ".data" {d += $2}
    $1 == ".bss" || $1 == ".api" {b += $2} END {print t + d, d + b}')
fi

case $mode in
summary)
  echo "core_flash $core"
  echo "core_text $core_text"
  echo "core_rodata $core_ro"
  echo "core_static_ram $((core_data + core_bss))"
  echo "core_stack $(echo "$stack" | head -1 | grep -o '[0-9]* bytes' | cut -d' ' -f1)"
  echo "core_config ${defs:-defaults}"
  echo "core_roots ${roots[*]}"
  echo "bootloader_flash $bl_flash"
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
echo "  .text $core_text B, .rodata $core_ro B: $core B (goal 24576 B); static RAM $((core_data + core_bss)) B"
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
  python3 ports/baremetal/footprint.py "$build/baremetal/sdboot_bl.map" "$src" |
    awk -F'\t' '{printf "  %-34s %6d %6d\n", $1, $2, $3}'
fi
