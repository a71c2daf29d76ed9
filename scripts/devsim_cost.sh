#!/usr/bin/env bash
# What a device-only switch costs in card traffic: the bare-metal board's
# configuration (build/sdboot_devsim) against the same with NAME=VALUE set
# (a second sdboot_devsim built with -DSDB_DEVSIM_SET, tools/devsim), on the
# cards of make bench's bare-metal table: the reference release (200 files,
# 2 MiB, tests/bench/bench_card --tar) plus the example application, plain
# tar, installed on a 64 MiB and a 512 MiB card, then a normal boot after the
# application's confirm. Prints one markdown row per card and boot: sectors
# read (requests), sectors written (requests), both ways, and the sectors
# moved with NAME=VALUE against the port's (the switch's cost, in %).
#
#   scripts/devsim_cost.sh [--build DIR] NAME=VALUE...
#
# e.g. scripts/devsim_cost.sh SDB_FAT12=1 (the board's build has SDB_FAT12=0:
# this measures what turning it off costs). DIR (default build) holds the host
# build (sdboot, sdboot_devsim, tests/bench/bench_card) and baremetal/ (the
# example application); the second devsim is built in DIR/devsim-cost.
set -euo pipefail
build=build
if [ "${1:-}" = "--build" ]; then build=$2; shift 2; fi
case "${1:-}" in
  "" | -h | --help)
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    [ -n "${1:-}" ]; exit ;;
esac
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
app=$build/baremetal/app-1.0.0/app/firmware.bin
for f in "$build/sdboot" "$build/sdboot_devsim" "$build/tests/bench/bench_card" "$app"; do
  [ -e "$f" ] || { echo "devsim_cost: missing $f (make)" >&2; exit 1; }
done

other=$build/devsim-cost
echo "devsim_cost: building sdboot_devsim with $* in $other" >&2
nice cmake -S "$src" -B "$other" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSDB_DEVSIM_SET="$*" > /dev/null
nice cmake --build "$other" --target sdboot_devsim -j 2 > /dev/null

work=$(mktemp -d /tmp/sdb-devsim-cost-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tree/app"
"$build/tests/bench/bench_card" --tar "$work/ref.tar" > /dev/null
tar -xf "$work/ref.tar" -C "$work/tree"
cp "$app" "$work/tree/app/"
"$build/sdboot" pack --version 1.0.0 --out "$work/rel" --board lm3s6965evb -C "$work/tree" \
  $(cd "$work/tree" && ls) > /dev/null

# traffic DEVSIM CARD : "R A W B" of one boot (sectors and requests, read and written)
traffic() {
  "$1" boot --card "$2" |
    sed -n 's/^card: \([0-9]*\) sectors read in \([0-9]*\) requests, \([0-9]*\) sectors written in \([0-9]*\) requests.*/\1 \2 \3 \4/p'
}
# story DEVSIM CARD : the install's traffic, then (after the confirm) a normal boot's
story() {
  traffic "$1" "$2"
  "$1" confirm --card "$2" > /dev/null
  "$1" boot --card "$2" > /dev/null # folds the confirmation in
  traffic "$1" "$2"
}
cell() { echo "$1 ($2) / $3 ($4)"; }

echo "| card | boot | sectors read (requests) / written (requests), the port's devsim | with $* | sectors moved: with -> the port's |"
echo "|---|---|---|---|---|"
for size in 64M 512M; do
  "$build/sdboot" image create "$work/card.img" --size "$size" --force > /dev/null
  "$build/sdboot" sim stage --card "$work/card.img" --release "$work/rel" --allow-unsigned \
    --board lm3s6965evb > /dev/null
  cp --sparse=always "$work/card.img" "$work/other.img"
  mapfile -t port < <(story "$build/sdboot_devsim" "$work/card.img")
  mapfile -t with < <(story "$other/sdboot_devsim" "$work/other.img")
  for i in 0 1; do
    read -r r a w b <<< "${port[$i]}"
    read -r r2 a2 w2 b2 <<< "${with[$i]}"
    echo "| $size | $([ "$i" -eq 0 ] && echo "install of the reference release" || echo "normal boot") |" \
      "$(cell "$r" "$a" "$w" "$b") | $(cell "$r2" "$a2" "$w2" "$b2") |" \
      "$((r2 + w2)) -> $((r + w)) ($(python3 -c "print(f'{($r + $w - $r2 - $w2) * 100 / max($r2 + $w2, 1):+.1f} %')")) |"
  done
done
