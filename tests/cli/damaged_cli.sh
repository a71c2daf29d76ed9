#!/usr/bin/env bash
# Damaged cards through the CLI, as a user meets them (issue: never format a
# card that holds a FAT, never get stuck): a boot-sector field changed with dd,
# an image cut short, a FAT16 root-entry count misread, a partition table
# whose type byte is gone, odd entries in /.sdboot. Each time: the exact
# message, the exit code, the image untouched when the boot leaves it alone,
# and after the documented recovery every user file byte-identical and
# fsck.fat -n clean.
set -uo pipefail
: "${SDBOOT:?}" "${SDB_SRC:?}"
export MTOOLS_SKIP_CHECK=1 TZ=UTC
source "$SDB_SRC/tests/support/checks.sh" damaged-cards
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}

# boot IMG CODE MESSAGE: sim boot exits CODE and prints MESSAGE.
boot() {
    checks=$((checks + 1))
    "$SDBOOT" sim boot --card "$1" >out.txt 2>&1
    local rc=$?
    [ "$rc" -eq "$2" ] || fail "sim boot $1 -> exit $rc, want $2: $(cat out.txt)"
    grep -qF -- "$3" out.txt || fail "sim boot $1 -> '$(cat out.txt)', want '$3'"
    ! grep -q "formatting" out.txt || fail "sim boot $1 formatted: $(cat out.txt)"
}

fsck_clean() {
    local out
    out=$(fsck.fat -n "$@" 2>&1) || { fail "fsck.fat -n $*: $out"; return; }
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] || fail "fsck.fat -n $* says more: $out"
}

# user_files_whole IMG: the user's files read back byte-identical.
user_files_whole() {
    checks=$((checks + 1))
    "$SDBOOT" image get "$1" /user.txt got-user.txt 2>/dev/null && cmp -s got-user.txt user.txt ||
        fail "$1: /user.txt lost or changed"
    "$SDBOOT" image get "$1" /docs/big.bin got-big.bin 2>/dev/null && cmp -s got-big.bin big.bin ||
        fail "$1: /docs/big.bin lost or changed"
}

patch() { # patch IMG OFFSET HEXBYTES
    printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# --- a provisioned card: release 1.0.0, /user.txt, /docs/big.bin -------------
"$SDBOOT" keygen key.pem pub.pem >/dev/null
mkdir -p rel/app && echo "print('one')" >rel/main.py && echo "A = 1" >rel/app/a.py
"$SDBOOT" pack --version 1.0.0 --out site --key key.pem -C rel main.py app >/dev/null
echo "the user's notes" >user.txt
head -c 300000 /dev/urandom >big.bin
provision() { # provision IMG ARGS...
    local img=$1
    shift
    "$SDBOOT" image create "$img" "$@" >/dev/null &&
        "$SDBOOT" sim stage --card "$img" --release site --pubkey pub.pem >/dev/null &&
        "$SDBOOT" sim boot --card "$img" >/dev/null &&
        "$SDBOOT" image put "$img" user.txt /user.txt &&
        "$SDBOOT" image mkdir "$img" /docs &&
        "$SDBOOT" image put "$img" big.bin /docs/big.bin || fail "provisioning $img $*"
}
provision f32.img --size 64M --fat 32
provision f16.img --size 32M --fat 16
provision mbr.img --size 64M --mbr --fat 32

# --- FAT32: a damaged boot sector is mended from its backup ------------------
for case in "13 \x03" "11 \x00\x04" "16 \x01" "510 \x00\x00" "0 \x00\x00\x00"; do
    cp f32.img c.img
    patch c.img ${case%% *} "${case#* }"
    boot c.img 0 "damaged FAT card: "
    grep -qF "mended from the backup boot sector (sector 6)" out.txt || fail "not mended: $case"
    user_files_whole c.img
    fsck_clean c.img
done

# --- an image cut short: untouched; back to its size, everything is there -----
cp f32.img c.img
truncate -s 32M c.img
before=$(sha256sum <c.img)
boot c.img 1 "damaged FAT card: FAT volume is larger than the card (an image copied onto a smaller card?); left untouched"
grep -qF "reason: damaged FAT card left untouched (never formatted)" out.txt || fail "no reason"
[ "$(sha256sum <c.img)" = "$before" ] || fail "the short image was written"
truncate -s 64M c.img
user_files_whole c.img
fsck_clean c.img

# --- FAT16 root entries 512 -> 528: untouched, image check names it ------------
cp f16.img c.img
patch c.img 17 '\x10\x02'
before=$(sha256sum <c.img)
boot c.img 1 "damaged FAT card: FAT boot sector does not match the file system on the card; left untouched"
"$SDBOOT" image check c.img >out.txt 2>&1
[ $? -eq 1 ] && grep -qF "damaged FAT card (volume at sector 0): FAT boot sector does not match" out.txt ||
    fail "image check on the misread FAT16: $(cat out.txt)"
[ "$(sha256sum <c.img)" = "$before" ] || fail "the misread FAT16 was written"
patch c.img 17 '\x00\x02' # the documented recovery: the field back from a copy
user_files_whole c.img
fsck_clean c.img

# --- an MBR whose partition type byte is 0: untouched ------------------------
cp mbr.img c.img
patch c.img 450 '\x00'
before=$(sha256sum <c.img)
boot c.img 1 "damaged FAT card: partition table damaged (a FAT volume lies behind it); left untouched"
[ "$(sha256sum <c.img)" = "$before" ] || fail "the card with a damaged MBR was written"
cp mbr.img c.img
user_files_whole c.img

# --- odd entries in /.sdboot: a decision, set aside, the next boot clean -----
cp f32.img c.img
"$SDBOOT" image mkdir c.img /.sdboot/confirm
boot c.img 0 "set aside /.sdboot/confirm (a directory where a file belongs) as /.sdboot/confirm.odd"
boot c.img 0 "decision: run /main.py from the card"
! grep -qE "set aside|cut during file-system work" out.txt || fail "second boot not clean: $(cat out.txt)"
user_files_whole c.img
fsck_clean c.img

cp f32.img c.img
"$SDBOOT" image rm c.img /main.py
printf 'garbage, not a tar' >junk.tar
"$SDBOOT" image put c.img junk.tar /.sdboot/current.tar
boot c.img 1 "set aside /.sdboot/current.tar (does not read as a release:"
grep -qF "no /main.py on the card and no archive to restore it from: using internal file system" out.txt ||
    fail "no reason for the internal path: $(cat out.txt)"
boot c.img 1 "decision: internal file system, nothing runs"
! grep -q "set aside" out.txt || fail "second boot set aside again: $(cat out.txt)"
user_files_whole c.img
fsck_clean c.img

# --- a cross-link between a managed file and the user's: image check --repair
# keeps the user's side, prints each change by path; the boot restores main.py
cp f16.img c.img
user_at=$(grep -obUaP "USER    TXT" c.img | head -1 | cut -d: -f1)
main_at=$(grep -obUaP "MAIN    PY " c.img | head -1 | cut -d: -f1)
dd if=c.img of=c.img bs=1 skip=$((user_at + 26)) seek=$((main_at + 26)) count=2 conv=notrunc status=none
checks=$((checks + 1))
"$SDBOOT" image check c.img >out.txt 2>&1
[ $? -eq 1 ] && grep -qF "  /main.py: starts in another entry's clusters: removed" out.txt ||
    fail "image check did not name /main.py: $(cat out.txt)"
"$SDBOOT" image check c.img --repair >out.txt 2>&1
grep -qF "  /main.py: starts in another entry's clusters: removed (repaired)" out.txt &&
    grep -qF "c.img: clean" out.txt || fail "image check --repair: $(cat out.txt)"
user_files_whole c.img
fsck_clean c.img
boot c.img 0 "restored 1 damaged or missing files of 1.0.0"
"$SDBOOT" image get c.img /main.py got-main.py && cmp -s got-main.py rel/main.py ||
    fail "main.py not restored from the archive"

checks_done
