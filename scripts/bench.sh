#!/usr/bin/env bash
# make bench: footprint, stack, heap, card traffic, throughput and instruction
# counts, written to docs/BENCHMARKS.md with the commands behind each number.
# Usage: scripts/bench.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
work=$(mktemp -d /tmp/sdb-bench-XXXXXX)
trap '[ -z "${spid:-}" ] || kill "$spid" 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
out="$src/docs/BENCHMARKS.md"

# ---- 1. footprint for Cortex-M4 ----
# The core compiles with include/ and the cross compiler's libc alone; hashing
# and inflate are port ops (hash.h, inflate.h) whose backends (mbedTLS, zlib:
# in ROM or already in ESP-IDF / MicroPython firmware) are not counted, nor is
# the mbedTLS signature check (ports/mbedtls/sig_mbedtls.c, application side).
# scripts/footprint.sh links the core from sdboot_boot (as the bare-metal port
# configures it, and with the core's defaults) and reports its stack.
fp=$src/scripts/footprint.sh
fpval() { awk -v k="$1" '$1 == k {print $2}' "$work/fp-$2.txt"; }
"$fp" --defaults --full --summary "$build" > "$work/fp-full.txt"
"$fp" --defaults --summary "$build" > "$work/fp-default.txt"
SDB_FOOTPRINT_WORK=$work/fp "$fp" --summary "$build" > "$work/fp-port.txt"
bm_config=$(sed -n 's/^core_config //p' "$work/fp-port.txt")
# the bare-metal configuration before the size work (issue 15), for the
# per-layer before/after: that commit's own footprint.sh on its own tree
fp_base=${SDB_FOOTPRINT_BASE:-1570196}
mkdir -p "$work/base"
if git -C "$src" archive "$fp_base" src include scripts ports/baremetal 2>/dev/null | tar -x -C "$work/base"; then
  "$work/base/scripts/footprint.sh" --layers "$build" | sort > "$work/layers-base.txt"
  base_total=$("$work/base/scripts/footprint.sh" --summary "$build" | awk '$1 == "core_flash" {print $2}')
else # no history (a source tarball): the column stays empty
  : > "$work/layers-base.txt"; base_total=-
fi
layers=$(join -t $'\t' -a 1 -a 2 -e 0 -o auto <("$fp" --defaults --layers "$build" | sort) <("$fp" --layers "$build" | sort) |
  join -t $'\t' -a 1 -e - -o auto - "$work/layers-base.txt" |
  awk -F'\t' '{printf "| %s | %d | %s | %d |\n", $1, $2, $4, $3}')
# What each of the port's size switches costs: the core with the switch set
# back to the core's default (the rest of the port's configuration kept),
# against the same with the switch as the port has it.
core_with() { SDB_FOOTPRINT_SET="$1" "$fp" --summary "$build" | awk '$1 == "core_flash" {print $2}'; }
switch_rows=""
switch_row() { # SWITCH "SET BACK" "BASELINE SET" WHAT-A-DEVICE-WITHOUT-IT-DOES
  local on off
  on=$(core_with "$2"); off=$(core_with "$3")
  switch_rows+="| \`$1\` | $((on - off)) | $4 |"$'\n'
}
switch_row "SDB_ERROR_MESSAGES=0" "SDB_ERROR_MESSAGES=1" "" \
  "logs the FAT, release, boot and OTA layers' errors as codes (\`sdboot error CODE\` names them on a host)"
switch_row "SDB_FAT_ZERO_SECTORS=0" "SDB_FAT_ZERO_SECTORS=8" "" \
  "zeroes a new directory's cluster one sector a request from a zeroed sector on the stack (512 B of stack while it runs), instead of from a 4 KiB constant (the same sectors, more requests)"
switch_row "SDB_FAT_MKFS=0" "SDB_FAT_PROBE_DETAIL=1 SDB_FAT_CARD_SEARCH=1 SDB_FAT_ZERO_SECTORS=1 SDB_FAT12=1 SDB_FAT_MKFS=1" "SDB_FAT_PROBE_DETAIL=1 SDB_FAT_CARD_SEARCH=1 SDB_FAT_ZERO_SECTORS=1 SDB_FAT12=1" \
  "formats no card: a blank or foreign card is left untouched, the boot takes the no-card path (\`SDB_E_NOTSUP\`)"
switch_row "SDB_FAT_CARD_SEARCH=0" "SDB_FAT_CARD_SEARCH=1 SDB_FAT_PROBE_DETAIL=1" "SDB_FAT_PROBE_DETAIL=1" \
  "(only without mkfs) a wiped partition table, a lost boot sector or another file system is classed blank or foreign instead of damaged FAT or named: untouched either way"
switch_row "SDB_FAT_PROBE_DETAIL=0" "SDB_FAT_PROBE_DETAIL=1" "" \
  "(only without the searches) judges only the volume the driver would mount: damaged FAT (\`SDBOOT_EDAMAGEDFAT\`) or blank/foreign (\`SDB_E_NOTSUP\`), untouched; no other partition looked at, no FAT32 backup boot sector read (none compared, none mended from): a good card reads one or two sectors fewer"
switch_row "SDB_FAT12=0" "SDB_FAT12=1" "" \
  "(only without mkfs) mounts FAT16 and FAT32 only: a FAT12 card (up to 64 MB as the SD specification formats it) is refused by the mount with \`SDB_FAT_EFAT12\` (-52), untouched, the no-card path; FAT16/32 cards move the same sectors"
switch_row "SDBOOT_LOG=0" "SDBOOT_LOG=1" "" \
  "the engine logs nothing (what it installs, rolls back, repairs, and why); the port prints the result: decision, event, release, trial and error code"
switch_row "SDB_TAR_PAX=0" "SDB_TAR_PAX=1" "" \
  "refuses a release tar with a pax header (GNU tar --format=pax, bsdtar) with \`SDB_TAR_ETYPE\` at that header, nothing installed; \`sdboot pack\`'s GNU long names read as before"
switch_row "SDB_TAR_GZIP=0" "SDB_TAR_GZIP=1" "" \
  "refuses a \`.tar.gz\` release with \`SDB_TAR_EGZIP\` at its second byte, nothing installed, as the refusing inflate backend (ports/none) does, but with no gzip glue in the tar reader and no backend linked; plain \`.tar\` releases read as before"
switch_row "SDB_TAR_CALLER_CHECKS=0" "SDB_TAR_CALLER_CHECKS=1" "" \
  "the tar reader takes no size limits and no names table from its caller, which the boot engine never gave it (it finds a name given twice in the FAT directory it extracts into); the same refusals and sectors"
switch_row "SDBOOT_DELTA=0" "SDBOOT_DELTA=1" "" \
  "refuses a staged delta (\`SDBOOT_EDELTABASE\`), keeps the installed release; whole releases install, keeping no index (no current.idx: the OTA client downloads whole releases) and looking for no delta file"
switch_row "SDBOOT_ODD_CHECK=0" "SDBOOT_ODD_CHECK=1" "" \
  "no look over /.sdboot at every boot (fewer reads); an entry of the wrong type at one of sdboot's names is met where it is used and stops only that work, before it writes (\`SDBOOT_EODD\`), the installed release running as it is; never set aside"
switch_row "SDBOOT_REBUILD=0" "SDBOOT_REBUILD=1" "" \
  "both state records lost: the kept records are not read; the installed release runs as \"unknown\", confirmed, its files compared with current.tar and restored; only the two records are written, the next install goes on from there"
switch_row "SDBOOT_VERSION_CHECK=0" "SDBOOT_VERSION_CHECK=1" "" \
  "installs a staged release whatever its version against the installed one (the stager decided); its size and SHA-256 against its record, the board and the tar rules are checked as before"
CC="arm-none-eabi-gcc -Os -mthumb -mcpu=cortex-m4 -std=c11 -I$src/include"
# RAM the caller provides (static): the engine object, sized for Cortex-M4
cat > "$work/probe.c" <<'C'
#include "sdboot/boot.h"
#include "sdboot/ota.h"
unsigned char boot_engine_bytes[sizeof(struct sdboot)];
unsigned char ota_client_bytes[sizeof(struct sdboot_ota)];
unsigned char tar_reader_bytes[sizeof(struct sdb_tar)];
unsigned char fat_volume_bytes[sizeof(struct sdb_fat_vol)];
C
$CC -c "$work/probe.c" -o "$work/probe.o"
sizeof() { printf '%d\n' "0x$(arm-none-eabi-nm -S "$work/probe.o" | awk -v s="$1" '$4 == s {print $2}')"; }
engine=$(sizeof boot_engine_bytes); ota=$(sizeof ota_client_bytes); tarsz=$(sizeof tar_reader_bytes); volsz=$(sizeof fat_volume_bytes)
# struct sdboot part by part, in three configurations: core defaults with the
# delta install, without it, and the bare-metal port's ($bm_config)
cat > "$work/parts.c" <<'C'
#include <stddef.h>
#include "sdboot/boot.h"
#define PART(name, bytes) unsigned char part_##name[bytes];
#define M(m) sizeof(((struct sdboot *)0)->m)
#define V(m) sizeof(((struct sdb_fat_vol *)0)->m)
PART(total, sizeof(struct sdboot))
PART(cache, V(cache))
PART(hints, V(hint))
PART(vol_rest, M(vol) - V(cache) - V(hint))
PART(tar, M(tar))
PART(io, M(io))
PART(bitmap, M(bitmap))
PART(owned, M(owned))
PART(paths, M(path) + M(path2))
PART(state, M(st) + M(cfg))
#if SDBOOT_DELTA
PART(delta, M(delta_work))
#else
PART(delta, 1) /* none: nm cannot show a 0-byte object */
#endif
C
ram_parts() { # -Dflags... -> "total cache hints vol_rest tar io bitmap owned paths state delta"
    $CC "$@" -c "$work/parts.c" -o "$work/parts.o"
    local p out=""
    for p in total cache hints vol_rest tar io bitmap owned paths state delta; do
        out="$out $(printf '%d' "0x$(arm-none-eabi-nm -S "$work/parts.o" | awk -v s="part_$p" '$4 == s {print $2}')")"
    done
    echo "$out"
}
bm_defs=(); for d in $bm_config; do [ "$d" = defaults ] || bm_defs+=("-D$d"); done
ram_row() { # label -Dflags... -> a table row
    local label=$1; shift
    read -r t c h v tr io bm ow pa stt dl <<<"$(ram_parts "$@")"
    grep -q "SDBOOT_DELTA=0" <<<"$*" && dl=0
    local other=$((t - c - h - v - tr - io - bm - ow - pa - stt - dl))
    echo "| $label | $t B ($(python3 -c "print(f'{$t / 1024:.1f}')") KiB) | $c | $h | $v | $tr | $io | $bm | $ow | $pa | $stt | $dl | $other |"
}
ram_table="$(ram_row "core defaults (delta install)")
$(ram_row "core defaults, \`SDBOOT_DELTA=0\`" -DSDBOOT_DELTA=0)
$(ram_row "bare-metal port ($bm_config)" "${bm_defs[@]}")"
engine_bm=$(ram_parts "${bm_defs[@]}" | awk '{print $1}')
# heap on the boot path: nothing the boot link keeps may call an allocator
heap=$(arm-none-eabi-nm -u "$work/fp/core.elf" | grep -Ew 'malloc|calloc|realloc|free|_malloc_r' || true)
heap_ok=$([ -z "$heap" ] && echo "0 (no allocator referenced)" || echo "REFERENCES: $heap")
# worst-case stack from sdboot_boot over the call graph (footprint.sh --stack:
# the tar reader's and the check's callbacks charged their known targets)
stack_report=$("$fp" --stack "$build")
stack=$(echo "$stack_report" | head -1 | grep -o '[0-9]* bytes' || echo "?")
stack_detail=$(echo "$stack_report" | sed -n '2,18p' | grep -v '^external calls')
stack_notes=$(echo "$stack_report" | grep -E '^(RECURSION|functions with dynamic)' || true)

# ---- 2. card traffic and 3. throughput ----
"$build/tests/bench/bench_card" --tar "$work/ref.tar" > "$work/card.txt"
val() { awk -v k="$1" '$1 == k {print $2; exit}' "$work/card.txt"; }
archive_sectors=$(( $(val release_bytes) / 512 ))
install_w=$(val install_written); update_w=$(val update_written); rollback_w=$(val rollback_written)
# write amplification: everything the card receives for an install (the staged
# archive the application wrote + the bootloader's writes) / (archive + files)
wa_install=$(python3 -c "print(f'{($install_w + $archive_sectors) / (2 * $archive_sectors):.2f}')")
# reference: GNU tar -x + sha256sum of the same archive on tmpfs, best of 5
mkdir -p /dev/shm/sdb-bench-ref
ref_best=$(python3 - "$work/ref.tar" <<'PY'
import subprocess, sys, time, shutil
best = 1e9
for _ in range(5):
    shutil.rmtree('/dev/shm/sdb-bench-ref', ignore_errors=True)
    t = time.perf_counter()
    subprocess.run(['tar', '-xf', sys.argv[1], '-C', '/dev/shm', '--one-top-level=sdb-bench-ref'], check=True)
    subprocess.run(['sha256sum', sys.argv[1]], check=True, stdout=subprocess.DEVNULL)
    best = min(best, time.perf_counter() - t)
print(f"{best:.4f}")
PY
)
rm -rf /dev/shm/sdb-bench-ref
ours_best=$(for i in 1 2 3 4 5; do "$build/tests/bench/bench_card" | awk '$1=="install_seconds"{print $2}'; done | sort -n | head -1)
install_ratio=$(python3 -c "print(f'{$ref_best / $ours_best:.2f}')")
# download + verify + stage from sdboot serve vs curl -o /dev/null of the same file
mkdir -p "$work/site/v" && echo "print(1)" > "$work/site/v/main.py" && head -c 8000000 /dev/urandom > "$work/site/v/blob.bin"
"$build/sdboot" keygen "$work/k.pem" "$work/p.pem" >/dev/null
"$build/sdboot" pack --version 1.0.0 --out "$work/site/out" --key "$work/k.pem" -C "$work/site/v" main.py blob.bin >/dev/null
"$build/sdboot" serve "$work/site/out" --port 0 --quiet > "$work/serve.txt" 2>&1 &
spid=$!
for _ in $(seq 50); do grep -q serving "$work/serve.txt" && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/serve.txt")
file=$(ls "$work/site/out" | grep 'firmware\.tar$')
curl_best=9; ota_best=9
for i in 1 2 3; do
  t0=$(date +%s.%N); curl -s -o /dev/null "$url$file"; t1=$(date +%s.%N)
  curl_best=$(python3 -c "print(min($curl_best, $t1 - $t0))")
  "$build/sdboot" image create "$work/c$i.img" --size 64M >/dev/null
  t0=$(date +%s.%N); "$build/sdboot" sim ota --card "$work/c$i.img" --url "$url" --pubkey "$work/p.pem" >/dev/null; t1=$(date +%s.%N)
  ota_best=$(python3 -c "print(min($ota_best, $t1 - $t0))")
done
kill $spid; wait $spid 2>/dev/null || true; spid=
ota_ratio=$(python3 -c "print(f'{$curl_best / $ota_best:.2f}')")
ota_mb=$(python3 -c "print(f'{8.0 / $ota_best:.1f}')")

# ---- 4. instruction count of the install (callgrind) ----
valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$build/tests/bench/bench_card" >/dev/null 2>"$work/cg.err"
instr=$(grep -E '^summary:|^totals:' "$work/cg.out" | head -1 | awk '{print $2}')

# ---- bare-metal port (LM3S6965 under QEMU): real link, SPI traffic ----
# Flash and RAM per layer from the bootloader's own link map (newlib-nano,
# the SD driver, our hashes and everything it keeps); stack high-water marks
# measured on the board by painting; SPI commands and sectors from the SD
# driver's counters, next to the host simulator on an identical card.
bm=$build/baremetal
# per layer from the same program linked without LTO (LTO merges the objects)
bm_layers=$(python3 "$src/ports/baremetal/footprint.py" "$bm/sdboot_bl_nolto.map" "$src" |
  awk -F'\t' '{printf "| %s | %d | %d |\n", $1, $2, $3}')
read -r bm_text bm_data bm_bss bm_stack < <(arm-none-eabi-size -A "$bm/sdboot_bl.elf" | awk '
  $1 == ".text" || $1 == ".ARM.exidx" {t += $2} $1 == ".data" {d += $2}
  $1 == ".bss" || $1 == ".api" {b += $2} $1 == ".stack" {s += $2} END {print t, d, b, s}')
bm_flash=$((bm_text + bm_data)); bm_ram_static=$((bm_data + bm_bss))
bm_qemu() { # OUT CARD : one power-on of the board
  timeout 300 qemu-system-arm -M lm3s6965evb -display none -monitor none -serial stdio \
    -semihosting-config enable=on,target=native,arg=sdboot -kernel "$bm/sdboot_bl.elf" \
    -drive "if=sd,format=raw,file=$2" > "$1" 2>/dev/null || true
}
bm_field() { sed -n "s/.*boot traffic:.* $2=\([0-9]*\).*/\1/p" "$1"; }
bm_stack_used() { sed -n 's/.*stack used \([0-9]*\) of.*/\1/p' "$1"; }
bm_rw() { # CMD... : "read written" of the card line a simulator's boot prints
  "$@" | sed -n 's/^card: \([0-9]*\) sectors read in [0-9]* requests, \([0-9]*\) sectors written.*/\1 \2/p'
}
# CARD : the full host simulator's boot (every feature), as the board is configured
bm_sim() { bm_rw "$build/sdboot" sim boot --card "$1" --entry /app/firmware.bin --board lm3s6965evb --no-arena; }
# CARD : the device simulator's (the core with the port's switches, tools/devsim)
bm_dev() { bm_rw "$build/sdboot_devsim" boot --card "$1"; }
# the reference release of section 2 plus the example application
mkdir -p "$work/bmref"
tar -xf "$work/ref.tar" -C "$work/bmref"
mkdir -p "$work/bmref/app" && cp "$bm/app-1.0.0/app/firmware.bin" "$work/bmref/app/"
"$build/sdboot" pack --version 1.0.0 --out "$work/bmrel" --board lm3s6965evb -C "$work/bmref" \
  $(cd "$work/bmref" && ls) > /dev/null
bm_rows=""
for card_size in 64M 512M; do
  c=$work/bm-$card_size.img
  fat=$("$build/sdboot" image create "$c" --size "$card_size" |
    grep -o 'FAT[0-9]*, [^,]*, [0-9]* clusters of [0-9]* bytes')
  "$build/sdboot" sim stage --card "$c" --release "$work/bmrel" --allow-unsigned \
    --board lm3s6965evb > /dev/null
  cp --sparse=always "$c" "$c.sim"; cp --sparse=always "$c" "$c.dev"
  t0=$(date +%s%N); bm_qemu "$work/bm-install.txt" "$c"; t1=$(date +%s%N)
  read -r sim_r sim_w < <(bm_sim "$c.sim")
  read -r dev_r dev_w < <(bm_dev "$c.dev")
  bm_qemu "$work/bm-confirm.txt" "$c" # folds the confirmation in
  cp --sparse=always "$c" "$c.sim"; cp --sparse=always "$c" "$c.dev"
  bm_qemu "$work/bm-normal.txt" "$c"
  read -r simn_r simn_w < <(bm_sim "$c.sim")
  read -r devn_r devn_w < <(bm_dev "$c.dev")
  bm_rows+="| $card_size card ($fat) | install of the reference release | $(bm_field "$work/bm-install.txt" spi_commands) | $(bm_field "$work/bm-install.txt" sectors_read) / $(bm_field "$work/bm-install.txt" sectors_written) | $dev_r / $dev_w | $sim_r / $sim_w | $(bm_stack_used "$work/bm-install.txt") B | $(((t1 - t0) / 1000000)) ms |
| $card_size card | normal boot | $(bm_field "$work/bm-normal.txt" spi_commands) | $(bm_field "$work/bm-normal.txt" sectors_read) / $(bm_field "$work/bm-normal.txt" sectors_written) | $devn_r / $devn_w | $simn_r / $simn_w | $(bm_stack_used "$work/bm-normal.txt") B | - |
"
done

# ---- 5. scaling: installs of 50..2000 files on 64M, 1G and 32G cards ----
# A release of 2000 files is inside the entry limit (SDB_LIMIT_ENTRIES, 2048):
# the build's own CLI runs it.
"$src/scripts/bench_scale.sh" "$build/sdboot" "$work/scale" "$work/scale.md" \
  "$src/docs/bench-scale.png" "${MICROPYTHON:-}"
scale_table=$(cat "$work/scale.md")

# ---- the report ----
host="$(uname -m), $(nproc) cores, $(date -u +%Y-%m-%d)"
cat > "$out" <<MD
# Benchmarks

Written by \`make bench\` (\`scripts/bench.sh build\`) on $host.
Goals are from the project's benchmark issue; a miss is explained below the table.

| measure | today | goal |
|---|---|---|
| core \`.text\`+\`.rodata\`, Cortex-M4, bootloader only, as the bare-metal port builds it ($bm_config), with LTO as its bootloader links it | $(fpval core_flash_lto port) B | ≤ 24 KiB (24576 B) |
| the same without LTO (what the per-layer rows and the switch table below add up to) | $(fpval core_flash port) B | - |
| the same with the core's defaults (mkfs and the card searches, the engine's log, error messages, 8-sector zeroing, pax headers, delta installs) | $(fpval core_flash default) B | - |
| core \`.text\`+\`.rodata\`, Cortex-M4, full (boot + OTA client, defaults) | $(fpval core_flash full) B | - |
| static \`.data\`+\`.bss\` of the core, bootloader only | $(fpval core_static_ram port) B | - |
| RAM the port provides: \`struct sdboot\` (boot engine), core defaults with the delta install | $engine B | - |
| the same as the bare-metal port builds it ($bm_config; parts in the notes) | $engine_bm B | ≤ 8 KiB (8192 B) with its tables |
| RAM: \`struct sdb_fat_vol\` / \`struct sdb_tar\` / \`struct sdboot_ota\` | $volsz / $tarsz / $ota B | - |
| heap on the boot and install path | $heap_ok | 0 |
| worst-case stack from \`sdboot_boot\` (call graph, -fstack-usage) | $stack | - |
| normal boot: sectors read / written | $(val normal_boot_read) / $(val normal_boot_written) | written 0 |
| install of the reference release (200 files, $(( $(val release_bytes) / 1024 )) KiB): sectors read / written | $(val install_read) / $install_w | - |
| update changing 20 of 200 files, staged as a whole tar: sectors written | $update_w | - |
| rollback: sectors written | $rollback_w | - |
| write amplification of an install | $wa_install | ≤ 1.1 |
| install on a RAM card vs \`tar -x\` + \`sha256sum\` on tmpfs (ratio, higher is faster) | $install_ratio (ours ${ours_best}s, reference ${ref_best}s) | ≥ 0.9 |
| download + verify + stage 8 MB from \`sdboot serve\` vs \`curl -o /dev/null\` | $ota_ratio (${ota_mb} MB/s) | - |
| SHA-256 (mbedTLS on this host) | $(val sha256_mb_per_s) MB/s | - |
| instructions for the whole card benchmark (callgrind) | $instr | regressions show here |

Per layer (bootloader-only link, \`.text\`+\`.rodata\` bytes; \`scripts/footprint.sh --layers\`, \`make
footprint\` for every object and the largest functions):

| layer | core defaults | bare-metal configuration at $fp_base (before issue 15's size cuts) | bare-metal configuration |
|---|---|---|---|
$layers
| total | $(fpval core_flash default) | $base_total | $(fpval core_flash port) |

The bare-metal port's size switches (ports/baremetal/CMakeLists.txt; each a macro of the core
whose default keeps the feature, as the host, MicroPython and ESP-IDF build it). Bytes saved:
\`scripts/footprint.sh --summary\` with \`SDB_FOOTPRINT_SET\` setting the switch back, minus the
port's configuration. Each is measured with the port's other switches kept, so what two of them
both remove counts once: with the log off, few error messages are left to drop, and
\`SDB_FAT_MKFS\` is measured with the 512 B zero constant mkfs needs:

| switch | core bytes saved | what a device built with it does |
|---|---|---|
$switch_rows
Deepest call path from \`sdboot_boot\` (bare-metal configuration; indirect calls charged
their known targets; the port's block device and log functions are not included):

\`\`\`text
$stack_detail
$stack_notes
\`\`\`

## How each number is made

- Footprint: \`scripts/footprint.sh\` (\`make footprint\`): every file of \`src/\` compiled with
  \`arm-none-eabi-gcc -Os -mthumb -mcpu=cortex-m4 -ffunction-sections -fdata-sections\`, with the
  bare-metal port's configuration macros (ports/baremetal/CMakeLists.txt) or \`--defaults\`, linked
  with \`--gc-sections\` from \`sdboot_boot\` (+ \`sdboot_confirm\`; + \`sdboot_ota_install_update_if_available\`
  for "full", \`--full\`), external symbols (libc, the port's hash, inflate and signature
  backends) left unresolved and not counted; \`arm-none-eabi-size -A\`, per layer from the map.
  Linked twice: without LTO (per layer, object, switch) and with \`-flto=auto\` as the bootloader
  is built (the total compared to the goal).
- Heap: \`arm-none-eabi-nm -u\` of the bootloader link must name no allocator.
- Stack: \`scripts/footprint.sh --stack\`: \`scripts/stack_depth.py sdboot_boot *.ci\` over GCC's
  \`-fcallgraph-info=su\` (bare-metal configuration); the tar reader's callbacks are charged the
  deepest of them, the check's note and ownership callbacks the boot's own; library calls, the
  port's block device and log output are not counted (the board's painted figure below has them).
- Card traffic: \`build/tests/bench/bench_card\` on a 512 MiB RAM card (FAT32, 4 KiB
  clusters): sector counters of the block device around each boot.
- Write amplification: (sectors the bootloader writes + the archive's sectors, which
  the application wrote while staging) / (archive sectors + extracted files' sectors).
- Throughput: best of 5; the reference is GNU \`tar -x\` into \`/dev/shm\` plus
  \`sha256sum\` of the same tar. Download: best of 3 \`sdboot sim ota\` (fetch, verify
  signature, download, hash, stage through the FAT driver into an image file) against
  best of 3 \`curl -o /dev/null\`, both from \`sdboot serve\` on loopback.
- Instructions: \`valgrind --tool=callgrind build/tests/bench/bench_card\` (total Ir).

## Where goals are missed, and why

- Write amplification of an install: bench_card's release puts its files in 10 folders
  in turn (file i in \`app/pkg<i % 10>\`), so each file's directory entry goes to another
  directory sector than the one before, and the driver, which keeps one directory sector
  pending (src/fat/POWERLOSS.md), writes it for every file, after the FAT sector's two
  copies: 3 sectors a file. A release packed folder by folder (\`sdboot pack\`, GNU tar)
  shares them among the 5 to 8 files of a directory sector (the scaling table's nested
  rows); written through, with the entry at create and at close, it was 1.13. The update
  row stages the whole tar and installs every file (bench_card's engine-level update); a
  delta update writes only the changed files (Delta updates below: 20 of 200 files,
  staging + install).
- RAM: \`struct sdboot\` keeps nothing per release entry (duplicates are found in the
  FAT directory the release is extracted into, src/boot/seen.c). Part by part (bytes,
  Cortex-M4; \`sizeof\` of each member, from \`scripts/bench.sh\`'s probe): the FAT
  sector cache is issue 13's (\`SDB_FAT_CACHE_FAT\` + \`SDB_FAT_CACHE_DIR\`, one sector
  each), the directory hints (\`SDB_FAT_DIR_HINTS\`) with it; the tar reader is its
  512-byte header block, the 1 KiB extended-header buffer (pax, GNU long names) and the
  entry with its path (a long name waits there, and inflated output is the gzip arena's
  last 512 bytes); io is \`SDBOOT_IO_BUF\` (the archive read buffer; the check's FAT-wide
  scans read into it), bitmap is \`SDBOOT_CHECK_BITMAP\` (the check's cluster marks,
  repair's damaged entries and the install's name filter, one at a time); owned is the
  names outside /app (\`SDBOOT_OWNED_MAX\`); paths are two path buffers; state is the
  state record in RAM and the configuration; delta is the delta install's index cursors;
  other is the file being extracted, small fields and padding.

  | configuration | \`struct sdboot\` | FAT cache | dir hints | rest of the volume | tar reader | io | bitmap | owned | paths | state + config | delta | other |
  |---|---|---|---|---|---|---|---|---|---|---|---|---|
$(sed 's/^/  /' <<<"$ram_table")
- Flash: the core alone (with LTO) misses 24 KiB by $(( $(fpval core_flash_lto port) - 24576 )) B and the bare-metal
  bootloader 32 KiB by $(( $(fpval bootloader_flash port) - 32768 )) B, after the switches above and
  the cuts docs/porting.md lists. What is left is code, spread over many functions (the largest,
  \`sdboot_boot\`, is under 2 KiB; \`make footprint\` lists them): the FAT driver with its card classifier,
  check/repair, and the boot engine's install, repair and state rebuild. Compiler
  flags do not close it (\`-flto\` saves 1.2 KiB of the bootloader but merges every object,
  which ends the per-layer figures and the per-function stack analysis). The switches
  above are what could be cut without breaking an invariant of DESIGN.md; the FAT
  check's ownership walk stays (without it a repair could free a cluster a user's file
  shares with one of sdboot's). docs/porting.md says what is left per layer and what
  reaching 24 KiB would take: more than every optional feature left, a different design.
MD
cat >> "$out" <<MD

## Scaling: installs of 50 to 2000 files

\`scripts/bench_scale.sh\` (run by \`make bench\`; \`make bench MICROPYTHON=path\` adds the
comparison below it): a release of N files of 14 KB in \`app/\` (flat), or spread over 10
folders \`app/d0..d9\` (nested), packed with \`sdboot pack\`, staged with \`sdboot sim stage\`
and installed by \`sdboot sim boot\` on a fresh card image: \`sdboot image create --size 64M\`,
\`--size 1G --mbr\` (16 KiB clusters, as for 64M), \`--size 1G --mbr --fat 32\` (4 KiB
clusters) and \`--size 32G --mbr\` (32 KiB clusters; sparse files). Sectors and requests are the
\`card:\` lines of the two commands (the block device's counters; docs/card-io.md); A is the
archive's size in sectors; growth is the read count against the row above, with the growth
of N in brackets; wall time is one run of \`sim boot\` on this host. The CLI is the
build's own (2000 files are inside the 2048-entry limit of \`sdboot/limits.h\`).

![sectors read by the install against N](bench-scale.png)

$scale_table

Reading the table: reads grow with N (×2 per ×2), not faster. The archive is read once
(extracted and hashed in one pass), into \`sim boot\`'s gzip arena for a plain tar (128-sector
requests); what remains above A is the walk of the tree and the FAT sectors of its chains,
a few hundred sectors whatever the card: the check before the install's first delete walks
the tree and its chains only (\`chains_only\`: docs/boot.md, "When the check scans the whole
FAT"). The full check, which also compares FAT 1 with its copy and sweeps it for lost
clusters, runs only where repair does (after a cut, \`sdboot image check\`); before the
guard skipped those scans they cost 6,000 sectors on the 1G FAT32 card and 24,000 on the 32G
card whatever N, and their small releases missed the read bound
(docs/bench-fat-scans.md). Writes
average about 14 sectors a request for 14 KB files, 15 for 16 KiB and over 40 for 64 KiB:
each file's data goes out in one or two requests (two when it straddles the end of the
read buffer), and its directory entry waits in the FAT driver's one pending directory
sector with those of the next files, written once with them after their FAT sector (each
copy): three one-sector requests for 5 to 8 files (src/fat/POWERLOSS.md; before, the entry
was written at create and at close and the FAT sector at each close: about 6 sectors a
request, docs/bench-write-batching.md).

In the comparison with the original's way, the issue's "sector operations" are counted as
block-device requests: one card command (single- or multi-block) is one operation, whatever
it moves, which is what a card's time is spent on per command (docs/card-io.md, timing
model). Both sides move the archive about three times (staged, read, written as files), so
sectors moved cannot fall to half of VfsFat's (about 0.5 to 0.8 here); operations do.
MD
cat >> "$out" <<MD

## Bare-metal port (LM3S6965, Cortex-M3, under QEMU)

The bootloader as linked for the board (\`build/baremetal/sdboot_bl.elf\`: core, SD-over-SPI
driver, our SHA-1/SHA-256, newlib-nano, startup), \`-Os -mcpu=cortex-m3 -flto\`, \`--gc-sections\`.
Per layer from the map of the same program linked without LTO (\`ports/baremetal/footprint.py
build/baremetal/sdboot_bl_nolto.map .\`: LTO merges the objects, so only the total is its own);
flash counts \`.text\`+\`.rodata\`+\`.data\`, RAM \`.data\`+\`.bss\` (the engine, \`struct sdboot\`
with \`SDBOOT_IO_BUF=2048 SDBOOT_CHECK_BITMAP=1024\`, is a static of the port's bootloader.c):

| layer | flash B | RAM B |
|---|---|---|
$bm_layers

| measure | today | goal |
|---|---|---|
| bootloader flash (\`.text\`+\`.rodata\`+\`.data\`, LTO) | $bm_flash B | ≤ 32 KiB (32768 B) |
| the same linked without LTO (\`sdboot_bl_nolto.elf\`: the layers above add up to it) | $(fpval bootloader_flash_nolto port) B | - |
| bootloader RAM, static (\`.data\`+\`.bss\`+API block) | $bm_ram_static B | - |
| bootloader RAM with its stack reserve | $((bm_ram_static + bm_stack)) B (stack $bm_stack B) | ≤ 16 KiB (16384 B) |
| SRAM left to the application | 49152 B (48 KiB at 0x20000000) | ≥ 48 KiB |

SPI traffic, from the SD driver's counters (commands = command frames on the bus, an ACMD
counting CMD55 + CMDn) and the block device's sector counters, next to the device simulator
\`sdboot_devsim boot\` (tools/devsim: the core built for the host with exactly the port's
switches and its own hashes; the board must move the same sectors, in the same requests,
tests/baremetal/qemu_boot.sh asserts it) and the full host simulator \`sdboot sim boot
--entry /app/firmware.bin --board lm3s6965evb --no-arena\` (every feature; without a gzip
arena as the board has none: with one it reads a plain tar in larger requests and touches
fewer sectors), each on a byte-identical copy of the card; the reference release of section
2 (200 files, 2 MiB) plus \`app/firmware.bin\`, plain tar. The full simulator's requests
differ (the board reads through a 2 KiB buffer), and so may its sectors where a device-only
switch changes what the board reads or writes (docs/porting.md's switch table says what).
Stack: high-water mark of the painted stack, printed by the bootloader before the jump.

| card | boot | SPI commands | sectors read / written (QEMU) | sectors read / written (devsim) | sectors read / written (full host sim) | stack used | QEMU wall time |
|---|---|---|---|---|---|---|---|
$bm_rows

How: \`make bench\` (this block of \`scripts/bench.sh\`). Where the flash goes and what
was cut is in docs/porting.md ("Worked example: the bare-metal port").
MD
# ---- delta updates: its own script, its own section ----
"$src/scripts/bench_delta.sh" "$build" >> "$out"
# ---- sdboot serve under idle connections: its own script, its own section ----
"$src/scripts/bench_serve.sh" "$build" >> "$out"
echo "bench: wrote $out"
cat "$out" | sed -n '1,30p'
