#!/usr/bin/env bash
# sdboot image: every subcommand's --help, a round trip on FAT12/16/32 checked
# by dosfstools and mtools, an mkfs.fat image read back, damage found and
# repaired by `image check`, and every error path: exit code, the one-line
# message, and the image left byte-identical.
set -uo pipefail
: "${SDBOOT:?}"
export MTOOLS_SKIP_CHECK=1 TZ=UTC
work=$(mktemp -d /tmp/sdb-imagecli-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fails=0
checks=0

fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

# expect CODE 'MESSAGE' CMD...: exit code CODE and MESSAGE in stderr.
expect() {
    local code=$1 msg=$2
    shift 2
    checks=$((checks + 1))
    "$@" >out.txt 2>err.txt
    local rc=$?
    [ "$rc" -eq "$code" ] || { fail "$* -> exit $rc, want $code ($(cat err.txt))"; return; }
    if [ "$code" -eq 0 ]; then
        [ -z "$msg" ] || grep -qF -- "$msg" out.txt || fail "$* -> stdout '$(cat out.txt)', want '$msg'"
        return
    fi
    grep -qF -- "$msg" err.txt || fail "$* -> stderr '$(cat err.txt)', want '$msg'"
    [ "$(wc -l <err.txt)" -eq 1 ] || fail "$* -> not a one-line message: $(cat err.txt)"
}

# expect_unchanged IMG CODE MESSAGE CMD...: as expect, and IMG keeps its bytes.
expect_unchanged() {
    local img=$1 before
    shift
    before=$(sha256sum <"$img")
    expect "$@"
    [ "$(sha256sum <"$img")" = "$before" ] || fail "$* changed $img"
}

fsck_clean() {
    local out
    out=$(fsck.fat -n "$1" 2>&1) || { fail "fsck.fat -n $1: $out"; return; }
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || fail "fsck.fat -n $1 says more: $out"
}

# --- help and usage --------------------------------------------------------
for sub in create ls get put mkdir rm check; do
    expect 0 "" "$SDBOOT" image "$sub" --help
    grep -q "usage: sdboot image" out.txt || fail "image $sub --help prints no usage"
done
"$SDBOOT" image >/dev/null 2>err.txt
[ $? -eq 2 ] && grep -q "usage: sdboot image" err.txt || fail "bare 'sdboot image' is not a usage error"
expect 2 "bad arguments for 'frob'" "$SDBOOT" image frob x.img
expect 2 "create needs IMG and --size" "$SDBOOT" image create x.img
expect 2 "bad --size '10X'" "$SDBOOT" image create x.img --size 10X
expect 2 "bad --size '1000'" "$SDBOOT" image create x.img --size 1000
expect 2 "--fat must be 12, 16 or 32" "$SDBOOT" image create x.img --size 8M --fat 24
expect 1 "does not fit the card size" "$SDBOOT" image create x.img --size 1M --fat 32
[ ! -e x.img ] || fail "failed create left x.img behind"

# --- round trip per FAT type, checked by fsck.fat and mcopy ------------------
head -c 0 /dev/urandom >empty.bin
head -c 513 /dev/urandom >s513.bin
head -c 200000 /dev/urandom >big.bin
printf 'print("hi")\n' >main.py
for cfg in "12 8M" "16 32M" "32 64M"; do
    read -r fat size <<<"$cfg"
    img="rt$fat.img"
    expect 0 "" "$SDBOOT" image create "$img" --size "$size" --fat "$fat"
    grep -q "FAT$fat" out.txt || fail "create --fat $fat said: $(cat out.txt)"
    [ "$(stat -c %s "$img")" -eq $(($(numfmt --from=iec "$size"))) ] || fail "$img has the wrong size"
    expect 0 "" "$SDBOOT" image mkdir "$img" /app
    expect 0 "" "$SDBOOT" image mkdir "$img" "/app/Long Directory Name"
    expect 0 "" "$SDBOOT" image put "$img" empty.bin /empty.bin
    expect 0 "" "$SDBOOT" image put "$img" s513.bin "/app/Long Directory Name/s513.bin"
    expect 0 "" "$SDBOOT" image put "$img" big.bin /app/big.bin
    expect 0 "" "$SDBOOT" image put "$img" main.py /main.py
    expect 0 "" "$SDBOOT" image put "$img" s513.bin /main.py # replace: shrinks nothing left over
    expect 0 "" "$SDBOOT" image ls "$img" /app
    grep -q "200000  big.bin" out.txt || fail "ls /app on $img: $(cat out.txt)"
    grep -q "Long Directory Name/" out.txt || fail "ls /app on $img lacks the directory"
    expect 0 "clean" "$SDBOOT" image check "$img"
    fsck_clean "$img"
    for f in empty.bin "app/Long Directory Name/s513.bin" app/big.bin main.py; do
        want=$(basename "$f")
        [ "$f" = main.py ] && want=s513.bin
        rm -f back
        mcopy -n -i "$img" "::/$f" back 2>/dev/null || { fail "mcopy of /$f from $img"; continue; }
        cmp -s back "$want" || fail "mcopy of /$f from $img differs"
        expect 0 "" "$SDBOOT" image get "$img" "/$f" -
        cmp -s out.txt "$want" || fail "image get /$f - from $img differs"
    done
    (cd /tmp && "$SDBOOT" image get "$work/$img" /app/big.bin "$work/named.out") ||
        fail "image get to a named file"
    cmp -s named.out big.bin || fail "image get to a named file differs"
    expect 0 "" "$SDBOOT" image rm "$img" /app/big.bin
    expect 0 "" "$SDBOOT" image rm "$img" "/app/Long Directory Name/s513.bin"
    expect 0 "" "$SDBOOT" image rm "$img" "/app/Long Directory Name"
    expect 0 "" "$SDBOOT" image ls "$img" /app
    [ ! -s out.txt ] || fail "/app not empty after rm: $(cat out.txt)"
    fsck_clean "$img"
done

# --- --mbr: one partition at 1 MiB, readable by mtools, clean for fsck.fat --
for cfg in "12 8M 01" "16 32M 04" "16 48M 06" "32 128M 0c"; do
    read -r fat size ptype <<<"$cfg"
    img="mbr$fat-$size.img"
    expect 0 "FAT$fat" "$SDBOOT" image create "$img" --size "$size" --fat "$fat" --mbr
    [ "$(od -An -tx1 -j510 -N2 "$img" | tr -d ' ')" = 55aa ] || fail "$img: no MBR signature"
    [ "$(od -An -tx1 -j450 -N1 "$img" | tr -d ' ')" = "$ptype" ] || fail "$img: partition type not $ptype"
    [ "$(od -An -tu4 -j454 -N4 "$img" | tr -d ' ')" = 2048 ] || fail "$img: partition not at 1 MiB"
    expect 0 "" "$SDBOOT" image mkdir "$img" "/Some Dir"
    expect 0 "" "$SDBOOT" image put "$img" big.bin "/Some Dir/big file.bin"
    expect 0 "clean" "$SDBOOT" image check "$img"
    rm -f back
    mcopy -n -i "$img@@1M" "::/Some Dir/big file.bin" back || fail "mcopy from the partition of $img"
    cmp -s back big.bin || fail "mcopy from the partition of $img differs"
    minfo -i "$img@@1M" | grep -q "hidden sectors: 2048" || fail "$img: hidden sectors not 2048"
    dd if="$img" of=part.img bs=512 skip=2048 status=none
    fsck_clean part.img
done
# --- without --fat: laid out as SD cards ship (docs/card-layout.md) ----------
# size, --mbr, type, cluster bytes, boundary the data area starts on (bytes, from sector 0)
for cfg in "64M 0 16 16384 16384" "1G 1 16 16384 65536" "3G 1 32 32768 4194304" \
           "32G 0 32 32768 4194304"; do
    read -r size mbr fat cb bu <<<"$cfg"
    img="sd-$size.img"
    opts=(); [ "$mbr" = 1 ] && opts=(--mbr)
    expect 0 "FAT$fat," "$SDBOOT" image create "$img" --size "$size" "${opts[@]}"
    grep -qF "clusters of $cb bytes" out.txt || fail "$img: $(cat out.txt), want clusters of $cb bytes"
    part="$img"
    if [ "$mbr" = 1 ]; then
        dd if="$img" of=part.img bs=1M skip=1 conv=sparse status=none
        part=part.img
    fi
    fsck_clean "$part"
    start=$(fsck.fat -n -v "$part" | sed -n 's/^Data area starts at byte \([0-9]*\).*/\1/p')
    [ $(((start + mbr * 1048576) % bu)) = 0 ] || fail "$img: data area at byte $start, not on a $bu boundary"
    rm -f "$img" part.img
done
expect 1 "does not fit" "$SDBOOT" image create tiny.img --size 1M --mbr
[ ! -e tiny.img ] || fail "failed --mbr create left tiny.img behind"

# --- an mkfs.fat + mcopy image read by sdboot --------------------------------
mkfs.fat --invariant -F 16 -s 2 -C ref.img 16384 >/dev/null
mmd -i ref.img ::/deep ::/deep/er
mcopy -i ref.img big.bin "::/deep/er/A long file name.bin"
mcopy -i ref.img s513.bin ::/S513.BIN
expect 0 "" "$SDBOOT" image get ref.img "/deep/er/A long file name.bin" -
cmp -s out.txt big.bin || fail "image get from an mkfs.fat image differs"
expect 0 "" "$SDBOOT" image get ref.img /s513.bin -
cmp -s out.txt s513.bin || fail "short name looked up case-insensitively"
expect_unchanged ref.img 0 "clean" "$SDBOOT" image check ref.img

# --- check finds damage and --repair fixes it ------------------------------
"$SDBOOT" image create dmg.img --size 32M --fat 16 >/dev/null
"$SDBOOT" image put dmg.img big.bin /big.bin
# Mark a free cluster (1000) as an end of chain in both FATs: a lost cluster.
rsvd=$(od -An -tu2 -j14 -N2 dmg.img | tr -d ' ')
nfats=$(od -An -tu1 -j16 -N1 dmg.img | tr -d ' ')
fatsz=$(od -An -tu2 -j22 -N2 dmg.img | tr -d ' ')
for ((i = 0; i < nfats; i++)); do
    printf '\xff\xff' | dd of=dmg.img bs=1 seek=$(((rsvd + i * fatsz) * 512 + 2 * 1000)) conv=notrunc status=none
done
expect_unchanged dmg.img 1 "file system has errors" "$SDBOOT" image check dmg.img
grep -q "lost clusters: 1" out.txt || fail "check did not list the lost cluster: $(cat out.txt)"
expect 0 "clean" "$SDBOOT" image check dmg.img --repair
grep -q "lost clusters: 1 (repaired)" out.txt || fail "repair did not report: $(cat out.txt)"
expect 0 "" "$SDBOOT" image check dmg.img
fsck_clean dmg.img
expect 0 "" "$SDBOOT" image get dmg.img /big.bin -
cmp -s out.txt big.bin || fail "repair touched a live file"

# --- error paths: message, exit code, image unchanged ------------------------
img=rt16.img
expect 1 "missing.img: cannot open" "$SDBOOT" image ls missing.img
expect 1 "missing.img: cannot open" "$SDBOOT" image put missing.img main.py /x
[ ! -e missing.img ] || fail "put created missing.img"
expect_unchanged "$img" 1 "exists already" "$SDBOOT" image create "$img" --size 8M
# --force checks everything first: a type that does not fit leaves the old image whole
expect_unchanged "$img" 1 "$img: this FAT type does not fit the card size" \
    "$SDBOOT" image create "$img" --size 16M --fat 32 --force
[ ! -e "$img.sdboot-new" ] || fail "a failed create --force left $img.sdboot-new"
mkdir -p adir
expect 1 "adir is not a regular file: not replaced" "$SDBOOT" image create adir --size 8M --force
cp "$img" forced.img
expect 0 "created forced.img: FAT32" "$SDBOOT" image create forced.img --size 40M --fat 32 --force
[ "$(stat -c %s forced.img)" -eq $((40 * 1048576)) ] || fail "create --force did not replace forced.img"
fsck_clean forced.img
expect 1 "missing.img: cannot open the card image (No such file or directory)" \
    "$SDBOOT" image ls missing.img
head -c 1000 /dev/zero >odd.img
expect_unchanged odd.img 1 "odd.img:" "$SDBOOT" image ls odd.img
head -c 1048576 /dev/zero >blank.img
expect_unchanged blank.img 1 "blank.img:" "$SDBOOT" image ls blank.img
expect_unchanged "$img" 1 "/nope: no such file or directory" "$SDBOOT" image get "$img" /nope -
expect_unchanged "$img" 1 "/nope: no such file or directory" "$SDBOOT" image ls "$img" /nope
expect_unchanged "$img" 1 "/main.py: not a directory" "$SDBOOT" image ls "$img" /main.py
expect_unchanged "$img" 1 "/nope: no such file or directory" "$SDBOOT" image rm "$img" /nope
expect_unchanged "$img" 1 "/nodir/x: no such file or directory" "$SDBOOT" image put "$img" main.py /nodir/x
expect_unchanged "$img" 1 "/app: is a directory" "$SDBOOT" image put "$img" main.py /app
expect_unchanged "$img" 1 "nolocal:" "$SDBOOT" image put "$img" nolocal /x
expect_unchanged "$img" 1 "/app: file exists" "$SDBOOT" image mkdir "$img" /app
expect_unchanged "$img" 1 "/main.py: file exists" "$SDBOOT" image mkdir "$img" /main.py
"$SDBOOT" image put "$img" main.py /app/keep.py
expect_unchanged "$img" 1 "/app: directory not empty" "$SDBOOT" image rm "$img" /app
expect_unchanged "$img" 1 "/app: is a directory" "$SDBOOT" image get "$img" /app -
expect_unchanged "$img" 1 "nodir/out:" "$SDBOOT" image get "$img" /main.py nodir/out
expect_unchanged "$img" 2 "bad arguments for 'rm'" "$SDBOOT" image rm "$img"
expect_unchanged "$img" 2 "bad arguments for 'check'" "$SDBOOT" image check "$img" --fix
chmod a-w "$img"
if [ ! -w "$img" ]; then # root writes anyway; the check means nothing there
    expect_unchanged "$img" 1 "$img: cannot open" "$SDBOOT" image put "$img" main.py /x
fi
chmod u+w "$img"
fsck_clean "$img"

echo "image cli: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
