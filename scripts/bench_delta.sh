#!/usr/bin/env bash
# make bench, delta section: an update of the reference release (200 files,
# 2260 KiB) changing K of its files, as a delta and as a whole download, over
# sdboot serve on loopback, on a 64 MiB card image. Counts what the
# device downloads and what the card is written (the application staging it,
# then the bootloader installing it: only the changed files for a delta).
# Then two more steps from the card the 20-file delta left (deltas over that
# delta, each made against the base 1.0.0), each changing 10 more files.
# With MICROPYTHON set (a unix-port binary, as make bench MICROPYTHON=path), the
# same update is also done the original's way on the same card: MicroPython's
# VfsFat writes the whole tar and extracts every file (scripts/bench_vfsfat.py).
# Prints a markdown section on stdout.
# Usage: [MICROPYTHON=path] scripts/bench_delta.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
S="$build/sdboot"
work=$(mktemp -d /tmp/sdb-bench-delta-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$work"' EXIT
cd "$work"
export SOURCE_DATE_EPOCH=1700000000 TZ=UTC MTOOLS_SKIP_CHECK=1
files=200 size=11571 # 2260 KiB in all, as the reference release of bench_card

serve() { # DIR: sets $url (not in a $(...) subshell: the server's pid must reach pids)
  "$S" serve "$1" --quiet > "$1.serve" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do grep -qs serving "$1.serve" && break; sleep 0.1; done
  url=$(grep -o 'http://[^ ]*' "$1.serve")
}
# sectors written on the card: sim ota's "card: R sectors read, W written",
# sim boot's "card: R sectors read in N requests, W sectors written in M requests"
# (the first card line: sim ota prints both forms)
written() {
  grep -oE '^card: .*[0-9]+ (sectors )?written' "$1" | head -1 | grep -oE '[0-9]+ (sectors )?written' |
    awk '{print $1}'
}

mkdir -p v1/app && echo "print('v1')" > v1/main.py
for i in $(seq $files); do head -c $size /dev/urandom > "v1/app/f$i.bin"; done
"$S" keygen k.pem p.pem >/dev/null
"$S" pack --version 1.0.0 --out site1 --key k.pem -C v1 main.py app >/dev/null
serve site1; url1=$url
"$S" image create base.img --size 64M >/dev/null
"$S" sim ota --card base.img --url "$url1" --pubkey p.pem >/dev/null
"$S" sim boot --card base.img >/dev/null && "$S" sim confirm --card base.img >/dev/null
"$S" sim boot --card base.img >/dev/null

# update CARD MODE VERSION: CARD copied to card.img, the release on $url
# staged (MODE delta or whole) and installed; sets dl, pct (of $tar_b + $idx_b),
# fetched, stage_w, install_w, total_w.
update() {
  cp "$1" card.img
  local extra=(); [ "$2" = whole ] && extra=(--no-delta)
  "$S" sim ota --card card.img --url "$url" --pubkey p.pem "${extra[@]}" > ota.txt
  "$S" sim boot --card card.img > boot.txt
  grep -q "^version: $3" boot.txt || { echo "bench_delta: $2 $3 did not install" >&2; exit 1; }
  dl=$(grep -o '[0-9][0-9]* downloaded' ota.txt | head -1 | awk '{print $1}')
  stage_w=$(written ota.txt); install_w=$(written boot.txt)
  total_w=$((stage_w + install_w))
  pct=$(python3 -c "print(f'{100 * $dl / ($tar_b + $idx_b):.1f}')")
  fetched=$(grep -o '^fetched [0-9]* files' ota.txt | awk '{print $2}' || true)
}

mpy=${MICROPYTHON:-}
# The original's update of the card base.img to TAR: "read written" sectors.
vfsfat_update() {
  cp base.img card-mpy.img
  "$mpy" "$src/scripts/bench_vfsfat.py" card-mpy.img 0 "$1" | awk '{print $1, $3}'
}
rows=""
goal_row=""
vfs_rows=""
for k in 2 20 100; do
  rm -rf "v2-$k" "site-$k" && cp -r v1 "v2-$k"
  for i in $(seq 1 $((files / k)) $files | head -$k); do head -c $size /dev/urandom > "v2-$k/app/f$i.bin"; done
  cp -r site1 "site-$k"
  "$S" pack --version 1.1.0 --out "site-$k" --key k.pem -C "v2-$k" main.py app >/dev/null
  tar_b=$(stat -c %s "site-$k/1_1_0-firmware.tar"); idx_b=$(stat -c %s "site-$k/1_1_0-firmware.tar.idx")
  changed_sectors=$(( k * ((size + 511) / 512) ))
  serve "site-$k"
  if [ -n "$mpy" ]; then
    read -r vr vw <<<"$(vfsfat_update "site-$k/1_1_0-firmware.tar")"
  fi
  for mode in delta whole; do
    update base.img $mode 1.1.0
    rows+="| $k of $files | $mode | ${fetched:--} | $dl ($pct %) | $stage_w | $install_w | $total_w | $changed_sectors |"$'\n'
    if [ -n "$mpy" ] && [ $mode = delta ]; then
      ratio=$(python3 -c "print(f'{$total_w / $vw:.2f}')")
      vfs_rows+="| $k of $files | $total_w | $vw | $ratio | $vr |"$'\n'
    fi
    if [ $k = 20 ] && [ $mode = delta ]; then # the card the next steps start from
      "$S" sim confirm --card card.img >/dev/null && "$S" sim boot --card card.img >/dev/null
      cp card.img card-step1.img
    fi
    if [ $k = 20 ] && [ $mode = delta ]; then
      goal_dl=$(python3 -c "print(int(0.12 * ($tar_b + $idx_b)))")
      goal_w=$(python3 -c "print(int(1.2 * $changed_sectors + 2000))")
      goal_row="| 1.0.0 → 1.1.0, 20 of 200 files: bytes downloaded | $dl ($pct % of tar + index) | ≤ $goal_dl (12 %) |"$'\n'
      goal_row+="| the same: sectors written, staging + install | $total_w ($stage_w + $install_w) | ≤ $goal_w (1.2 × $changed_sectors + 2000) |"
    fi
  done
done

# Deltas over a delta: from 1.1.0 (20 files changed, installed as a delta and
# confirmed) to 1.2.0 and 1.3.0, each changing 10 more files: each delta is made
# against the base 1.0.0, so it carries 30, then 40 files.
step_rows=""
prev=v2-20; prev_site=site-20; card=card-step1.img
for step in 2 3; do
  v="v$((step + 1))" site="site-step$step" version="1.$step.0"
  rm -rf "$v" "$site" && cp -r "$prev" "$v" && cp -r "$prev_site" "$site"
  for i in $(seq 1 20 $files); do head -c $size /dev/urandom > "$v/app/f$((i + step - 1)).bin"; done
  "$S" pack --version "$version" --out "$site" --key k.pem -C "$v" main.py app >/dev/null
  tar_b=$(stat -c %s "$site/${version//./_}-firmware.tar"); idx_b=$(stat -c %s "$site/${version//./_}-firmware.tar.idx")
  changed_sectors=$(( 10 * ((size + 511) / 512) ))
  serve "$site"
  for mode in delta whole; do
    update "$card" $mode "$version"
    step_rows+="| 1.$((step - 1)).0 → $version | $mode | ${fetched:--} | $dl ($pct %) | $stage_w | $install_w | $total_w | $changed_sectors |"$'\n'
    if [ $mode = delta ]; then
      "$S" sim confirm --card card.img >/dev/null && "$S" sim boot --card card.img >/dev/null
      cp card.img "card-step$step.img"
    fi
  done
  prev=$v prev_site=$site card="card-step$step.img"
done

cat <<MD

## Delta updates

\`make bench\` (\`scripts/bench_delta.sh build\`): the reference release (200 files of
$size bytes, one tar of $(stat -c %s site1/1_0_0-firmware.tar) bytes) installed by a whole download, then 1.1.0
changing K of its files, staged by \`sdboot sim ota\` from \`sdboot serve\` on loopback
(as a delta, and with \`--no-delta\` as a whole download) and installed by \`sdboot sim boot\`,
on a 64 MiB image (FAT16, as \`sdboot image create\` lays it out). Bytes are what the device received (bodies, multipart framing,
indexes); sectors are the image's write counters.

| measure | today | goal |
|---|---|---|
$goal_row

| files changed | download | files fetched | bytes downloaded (% of tar + index) | sectors written: staging | install | total | changed files' sectors |
|---|---|---|---|---|---|---|---|
$rows
- A delta fetches only the changed files' data and the new index (the installed
  one is the bootloader's \`current.idx\`) and stages them as a small tar of those
  files; the bootloader writes only them (\`next/\` then a rename each, the replaced
  files parked in \`prev/\` until confirmed): staging and install together write
  about twice the changed files' sectors, plus directory and FAT updates.
- The whole download writes the full tar in staging and the bootloader rewrites
  every file of \`/app\`: the same update costs about ten times the sectors.
- 100 of 200 files changed (48 % of the bytes) is still a delta; past half the
  release the client downloads it whole (docs/ota.md, "Kept space").

Deltas over a delta: from the card left by the 20-file delta above (1.1.0
installed as a delta over 1.0.0, confirmed), 1.2.0 and then 1.3.0 each change 10
more files. Every delta is made against the base the card keeps whole (1.0.0),
so it carries every file that differs from it (30, then 40): more bytes
than the step's own changes (the price of deltas that each stand alone on the
base: no chain to keep or replay, and a bound on the card: the new delta with
the installed one at most half the release, else a whole download). The install
writes only what the installed tree lacks (the files the installed delta already
has are not written again).

| step | download | files fetched | bytes downloaded (% of tar + index) | sectors written: staging | install | total | the step's changed files' sectors |
|---|---|---|---|---|---|---|---|
$step_rows
MD
if [ -n "$mpy" ]; then
  cat <<MD

The same updates done the original's way (\`make bench MICROPYTHON=path\`:
MicroPython \`$("$mpy" -c 'import sys; print(sys.version)' 2>/dev/null || echo '?')\` VfsFat over a counting block
device, \`scripts/bench_vfsfat.py\`, from the same card holding 1.0.0: write the
downloaded tar, extract every file into next/, remove app/, move the files in):

| files changed | sdboot delta: sectors written (staging + install) | VfsFat: sectors written | ratio | VfsFat: sectors read |
|---|---|---|---|---|
$vfs_rows
MD
fi
