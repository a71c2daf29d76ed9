#!/usr/bin/env bash
# Scaling benchmark (make bench): the install of N files of 14 KB at boot, for
# N = 50 .. 2000, in one folder and in 10 nested folders, on a 64M card
# (`image create --size 64M`), a 1G and a 32G sparse card (`--mbr`). Counts come
# from the card: line of `sdboot sim stage` / `sim boot` (the block device's
# counters); wall time is the best of one run of `sim boot` on this host.
# With MICROPYTHON=path (a unix-port binary built beside the project), the same
# update is also done the original's way (scripts/bench_vfsfat.py: MicroPython's
# VfsFat over a counting block device) on the same card image.
#
# usage: scripts/bench_scale.sh SDBOOT WORKDIR OUT.md OUT.png [MICROPYTHON]
set -euo pipefail
sdboot=$1 work=$2 out_md=$3 out_png=$4 mpy=${5:-}
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
counts=(50 100 200 400 1000 2000)
# 64M: FAT16, 16 KiB clusters; 1G: FAT16, 16 KiB; 1G FAT32: 4 KiB; 32G: FAT32, 32 KiB
cards=("64M" "1G --mbr" "1G --mbr --fat 32" "32G --mbr")

# card: R sectors read in A requests, W sectors written in B requests, ...
card_line() { sed -n 's/^card: \([0-9]*\) sectors read in \([0-9]*\) requests, \([0-9]*\) sectors written in \([0-9]*\) requests.*/\1 \2 \3 \4/p' "$1"; }

make_release() { # layout N [file bytes, 14000] [--gzip] -> $work/rel-layout-N[-bytes[-gz]]
    local layout=$1 n=$2 bytes=${3:-14000} gz=${4:-} i sub
    local name="$layout-$n${3:+-$3}${4:+-gz}"
    local d="$work/src-$name"
    [ -d "$work/rel-$name" ] && return 0
    mkdir -p "$d/app"
    echo "print('bench')" >"$d/main.py"
    for i in $(seq 1 "$n"); do
        sub=""
        [ "$layout" = nested ] && sub="d$((i % 10))/" && mkdir -p "$d/app/$sub"
        head -c "$bytes" < <(yes "value_$i = $i") >"$d/app/${sub}module_$i.py"
    done
    # shellcheck disable=SC2086
    "$sdboot" pack --version 1.0.0 --out "$work/rel-$name" $gz -C "$d" main.py app \
        >"$work/pack.txt" 2>&1 || { rm -rf "$work/rel-$name"; return 1; }
}

ratio() { python3 -c "print(f'{$1 / $2:.1f}')"; } # sectors per request

dat="$work/scale.dat"
: >"$dat"
echo "| layout | card | N files | archive sectors | stage: written / requests | install: read / requests | install: written / requests | avg request, read / write (sectors) | read ≤ 1.5×A+2000 | written ≤ 1.2×A+1000 | read growth (N ratio) | wall s |" >"$out_md"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|" >>"$out_md"
for layout in flat nested; do
    for card in "${cards[@]}"; do
        cname=$(echo "$card" | sed 's/ --mbr//; s/ --fat /-FAT/')
        prev_r="" prev_n=""
        for n in "${counts[@]}"; do
            if ! make_release "$layout" "$n"; then
                echo "| $layout | $cname | $n | - | refused by pack: $(tail -1 "$work/pack.txt" | cut -c1-70) | | | | | | | |" >>"$out_md"
                continue
            fi
            archive=$(($(stat -c %s "$work/rel-$layout-$n"/*.tar) / 512))
            img="$work/card.img"
            rm -f "$img"
            # shellcheck disable=SC2086
            "$sdboot" image create "$img" --size $card >/dev/null
            if ! "$sdboot" sim stage --card "$img" --release "$work/rel-$layout-$n" --allow-unsigned >"$work/stage.txt" 2>&1; then
                echo "| $layout | $cname | $n | $archive | does not fit: $(tail -1 "$work/stage.txt" | cut -c1-60) | | | | | | | |" >>"$out_md"
                continue
            fi
            read -r _ _ sw sq <<<"$(card_line "$work/stage.txt")"
            t0=$(date +%s.%N)
            "$sdboot" sim boot --card "$img" >"$work/boot.txt" 2>&1 || true
            t1=$(date +%s.%N)
            if ! grep -q "event: installed" "$work/boot.txt"; then
                echo "| $layout | $cname | $n | $archive | $sw / $sq | not installed: $(grep -m1 'event\|reason' "$work/boot.txt" | cut -c1-60) | | | | | | |" >>"$out_md"
                continue
            fi
            read -r r rq w wq <<<"$(card_line "$work/boot.txt")"
            wall=$(python3 -c "print(f'{$t1 - $t0:.2f}')")
            avg="$(ratio "$r" "$rq") / $(ratio "$w" "$wq")"
            rok=$([ $((r * 10)) -le $((archive * 15 + 20000)) ] && echo yes || echo "**no**")
            wok=$([ $((w * 10)) -le $((archive * 12 + 10000)) ] && echo yes || echo "**no**")
            growth="-"
            [ -n "$prev_r" ] && growth=$(python3 -c "print(f'×{$r / $prev_r:.2f} (×{$n / $prev_n:.1f})')")
            echo "| $layout | $cname | $n | $archive | $sw / $sq | $r / $rq | $w / $wq | $avg | $rok | $wok | $growth | $wall |" >>"$out_md"
            echo "$layout $cname $n $archive $r $w $rq $wq $wall" >>"$dat"
            prev_r=$r prev_n=$n
        done
    done
done

# Files of 16 KiB and 64 KiB (issue 13: average request >= 8 sectors for files
# >= 16 KiB), 14 KB beside them: N = 100 and 400, flat, on every card.
size_md="$work/sizes.md"
{
    echo
    echo "Average request by file size (the same commands, N files of S bytes in \`app/\`, flat, a plain tar or with \`pack --gzip\`, whose archive sectors are the compressed ones; the goal is issue 13's for files of 16 KiB and more):"
    echo
    echo "| file size | card | N files | archive sectors | install: read / requests | install: written / requests | avg read request | avg write request | write ≥ 8 | stage + install: requests |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
} >"$size_md"
for bytes in 14000 16384 65536 16384-gz; do
    gz="" label="$bytes B"
    [ "${bytes#*-}" = gz ] && bytes=${bytes%-gz} gz=--gzip label="$bytes B, .tar.gz"
    for card in "${cards[@]}"; do
        cname=$(echo "$card" | sed 's/ --mbr//; s/ --fat /-FAT/')
        for n in 100 400; do
            make_release flat "$n" "$bytes" $gz || continue
            rel="$work/rel-flat-$n-$bytes${gz:+-gz}"
            archive=$(($(stat -c %s "$(ls "$rel"/*.tar "$rel"/*.tar.gz 2>/dev/null | head -1)") / 512))
            img="$work/card.img"
            rm -f "$img"
            # shellcheck disable=SC2086
            "$sdboot" image create "$img" --size $card >/dev/null
            if ! "$sdboot" sim stage --card "$img" --release "$rel" --allow-unsigned >"$work/stage.txt" 2>&1 ||
                ! "$sdboot" sim boot --card "$img" >"$work/boot.txt" 2>&1 ||
                ! grep -q "event: installed" "$work/boot.txt"; then
                echo "| $label | $cname | $n | $archive | does not fit | | | | | |" >>"$size_md"
                continue
            fi
            read -r sr srq sw swq <<<"$(card_line "$work/stage.txt")"
            read -r r rq w wq <<<"$(card_line "$work/boot.txt")"
            wok=$([ "$w" -ge $((wq * 8)) ] && echo yes || echo "**no**")
            echo "| $label | $cname | $n | $archive | $r / $rq | $w / $wq | $(ratio "$r" "$rq") | $(ratio "$w" "$wq") | $wok | $((srq + swq + rq + wq)) |" >>"$size_md"
        done
    done
done
cat "$size_md" >>"$out_md"

# the plot: sectors read by the install per N, one line per layout and card,
# against the bound 1.5 x archive + 2000
gnuplot <<GP
set terminal png size 900,560
set output "$out_png"
set title "sdboot install at boot: sectors read (N files of 14 KB)"
set xlabel "files in the release (N)"
set ylabel "sectors read"
set logscale xy
set key left top
set grid
bound(a) = 1.5 * a + 2000
plot "< awk '\$1==\"flat\" && \$2==\"64M\"' $dat" using 3:5 with linespoints title "flat, 64M", \
     "< awk '\$1==\"flat\" && \$2==\"1G\"' $dat" using 3:5 with linespoints title "flat, 1G", \
     "< awk '\$1==\"flat\" && \$2==\"32G\"' $dat" using 3:5 with linespoints title "flat, 32G", \
     "< awk '\$1==\"flat\" && \$2==\"1G-FAT32\"' $dat" using 3:5 with linespoints title "flat, 1G FAT32, 4 KiB clusters", \
     "< awk '\$1==\"nested\" && \$2==\"64M\"' $dat" using 3:5 with linespoints title "10 folders, 64M", \
     "< awk '\$1==\"nested\" && \$2==\"32G\"' $dat" using 3:5 with linespoints title "10 folders, 32G", \
     "< awk '\$1==\"flat\" && \$2==\"1G\"' $dat" using 3:(bound(\$4)) with lines dashtype 2 title "1.5 x archive + 2000", \
     "< awk '\$1==\"flat\" && \$2==\"1G\"' $dat" using 3:4 with lines dashtype 3 title "archive"
GP

# the original's way, on the same card images, when a MicroPython is given
if [ -n "$mpy" ]; then
    {
        echo
        echo "Stage + install against the original's way (MicroPython \`$("$mpy" -c 'import sys; print(sys.version)' 2>/dev/null || echo '?')\` VfsFat over a counting block device, \`scripts/bench_vfsfat.py\`), flat layout, same card image. A sector operation is one block-device request (one \`readblocks\`/\`writeblocks\` call, one card command, for any number of consecutive sectors); the sectors it moved are given beside it:"
        echo
        echo "| card | N × file size | sdboot stage + install: sector operations (requests) | VfsFat write tar, extract to next/, remove app/, rename: sector operations (requests) | ratio, sector operations | sdboot: sectors read + written | VfsFat: sectors read + written | ratio, sectors |"
        echo "|---|---|---|---|---|---|---|---|"
    } >>"$out_md"
    for card in "64M" "1G --mbr"; do
        for rel in 100 400 100-16384 400-16384; do
            img="$work/card.img"
            rm -f "$img"
            # shellcheck disable=SC2086
            "$sdboot" image create "$img" --size $card >/dev/null
            cp "$img" "$work/card-mpy.img"
            "$sdboot" sim stage --card "$img" --release "$work/rel-flat-$rel" --allow-unsigned >"$work/stage.txt"
            "$sdboot" sim boot --card "$img" >"$work/boot.txt"
            read -r r1 rq1 w1 wq1 <<<"$(card_line "$work/stage.txt")"
            read -r r2 rq2 w2 wq2 <<<"$(card_line "$work/boot.txt")"
            ours=$((r1 + w1 + r2 + w2)) ours_q=$((rq1 + wq1 + rq2 + wq2))
            offset=0
            [ "${card#* }" = "--mbr" ] && offset=2048
            "$mpy" "$src/scripts/bench_vfsfat.py" "$work/card-mpy.img" "$offset" \
                "$(ls "$work/rel-flat-$rel"/*.tar)" >"$work/mpy.txt"
            read -r mr mrq mw mwq <<<"$(cat "$work/mpy.txt")"
            theirs=$((mr + mw)) theirs_q=$((mrq + mwq))
            ratio_s=$(python3 -c "print(f'{$ours / $theirs:.2f}')")
            ratio_q=$(python3 -c "print(f'{$ours_q / $theirs_q:.2f}')")
            n=${rel%%-*} bytes=14000
            [ "$rel" != "$n" ] && bytes=${rel#*-}
            echo "| ${card%% *} | $n × $bytes B | $ours_q | $theirs_q | $ratio_q | $ours | $theirs | $ratio_s |" >>"$out_md"
        done
    done
fi
