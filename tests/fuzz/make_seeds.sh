#!/usr/bin/env bash
# Regenerates the committed seed corpora in tests/fuzz/corpus/<target>/ from
# real tools (mkfs.fat + mcopy, the sdboot CLI, tar, gzip). Run by hand after a
# format change, then commit the result; make test only reads the corpora.
#   tests/fuzz/make_seeds.sh [path/to/sdboot]      (default build/sdboot)
# Images are cut after their last non-zero byte: fuzz_fat zero-fills the rest
# of its 256 KiB card, so the seed means the same card and stays small.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
SDBOOT=$(realpath "${1:-$src/build/sdboot}")
out=$src/tests/fuzz/corpus
work=$(mktemp -d /tmp/sdb-seeds-XXXXXX)
trap 'rm -rf "$work"' EXIT
export TZ=UTC MTOOLS_SKIP_CHECK=1 SOURCE_DATE_EPOCH=1700000000
cd "$work"

trim() { # trim IMG OUT: IMG up to its last non-zero byte
    python3 -c 'import sys; d=open(sys.argv[1],"rb").read().rstrip(b"\0"); open(sys.argv[2],"wb").write(d)' "$1" "$2"
}

# ---- fuzz_fat: small FAT12 cards (the target's card is 256 KiB) ----
fat=$out/fuzz_fat
rm -rf "$fat" && mkdir -p "$fat"
printf 'hello\n' >hello.txt
head -c 3000 /dev/zero | tr '\0' 'x' >three-k.bin
printf 'print("main")\n' >main.py
mkfs_card() { # mkfs_card IMG [mkfs.fat options]: 256 KiB FAT12
    local img=$1; shift
    rm -f "$img"
    mkfs.fat -C --invariant -F 12 "$@" "$img" 256 >/dev/null
}
mkfs_card empty.img
trim empty.img "$fat/mkfs-empty"
mkfs_card files.img
mcopy -i files.img hello.txt ::HELLO.TXT
mcopy -i files.img three-k.bin "::A long file name.bin"
mmd -i files.img ::app ::app/lib
mcopy -i files.img main.py ::main.py
mcopy -i files.img main.py ::app/lib/Module_With_Long_Name.py
trim files.img "$fat/mkfs-mcopy-tree"
mkfs_card deleted.img -s 2 -n SDBOOT
mcopy -i deleted.img hello.txt ::a.txt
mcopy -i deleted.img three-k.bin ::b.bin
mcopy -i deleted.img hello.txt ::c.txt
mdel -i deleted.img ::b.bin                       # a hole: the next file is fragmented
mcopy -i deleted.img three-k.bin ::fragmented-after-delete.bin
trim deleted.img "$fat/mkfs-mcopy-deleted-fragmented"
mkfs_card many.img -r 32
for i in $(seq 1 40); do mcopy -i many.img hello.txt "::f$i.txt" 2>/dev/null || break; done # root full
trim many.img "$fat/mkfs-mcopy-full-root"
"$SDBOOT" image create own.img --size 256K >/dev/null
"$SDBOOT" image mkdir own.img /app >/dev/null
"$SDBOOT" image put own.img main.py /main.py >/dev/null
"$SDBOOT" image put own.img three-k.bin "/app/Data File.bin" >/dev/null
trim own.img "$fat/sdboot-image-tree"

# ---- fuzz_tar: archives as pack and tar(1) make them ----
tarc=$out/fuzz_tar
rm -rf "$tarc" && mkdir -p "$tarc" rel/app/lib
cp main.py rel/ && cp hello.txt rel/app/ && cp main.py rel/app/lib/util.py
"$SDBOOT" pack --version 1.0.0 --out site -C rel main.py app >/dev/null
"$SDBOOT" pack --version 1.0.1 --out site --gzip -C rel main.py app >/dev/null
cp site/1_0_0-firmware.tar "$tarc/sdboot-pack"
cp site/1_0_1-firmware.tar.gz "$tarc/sdboot-pack-gzip"
tar --format=ustar --owner=0 --group=0 --mtime=@1700000000 -C rel -cf "$tarc/ustar" main.py app
tar --format=gnu --owner=0 --group=0 --mtime=@1700000000 -C rel -cf long.tar main.py app
mkdir -p "rel/$(printf 'd%.0s' $(seq 1 60))" && cp hello.txt "rel/$(printf 'd%.0s' $(seq 1 60))/$(printf 'n%.0s' $(seq 1 80)).txt"
tar --format=gnu --owner=0 --group=0 --mtime=@1700000000 -C rel -cf "$tarc/gnu-longname" .
tar --format=pax --owner=0 --group=0 --mtime=@1700000000 -C rel -cf "$tarc/pax" main.py app
ln -s main.py rel/link.py
tar --format=ustar --owner=0 --group=0 --mtime=@1700000000 -C rel -cf "$tarc/with-symlink" main.py link.py
gzip -n -9 <"$tarc/ustar" >"$tarc/ustar-gzip"

# ---- fuzz_index: the per-file index pack writes beside the plain tar ----
idxc=$out/fuzz_index
rm -rf "$idxc" && mkdir -p "$idxc"
cp site/1_0_0-firmware.tar.idx "$idxc/sdboot-pack"
rm -f rel/link.py # pack refuses links
"$SDBOOT" pack --version 1.0.0 --out site3 -C rel . >/dev/null
cp site3/1_0_0-firmware.tar.idx "$idxc/sdboot-pack-longname"

# ---- fuzz_byteranges: a multipart answer of sdboot serve (Content-Type line, then body) ----
brc=$out/fuzz_byteranges
rm -rf "$brc" && mkdir -p "$brc"
"$SDBOOT" serve site --quiet >serve.out 2>&1 &
serve_pid=$!
for _ in $(seq 50); do grep -qs serving serve.out && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' serve.out)
curl -s -D br.head -H 'Range: bytes=0-99,512-600,-10' "${url}1_0_0-firmware.tar" -o br.body
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
{ grep -i '^content-type:' br.head | sed 's/^[^:]*: *//' | tr -d '\r'; cat br.body; } >"$brc/sdboot-serve-three-ranges"

# ---- fuzz_manifest: versions files ----
man=$out/fuzz_manifest
rm -rf "$man" && mkdir -p "$man"
cp site/versions "$man/sdboot-pack-two-lines"
printf '1.0.0;1_0_0-firmware.tar;%s\n' "$(sha1sum "$tarc/ustar" | cut -d' ' -f1)" >"$man/seed-format"
"$SDBOOT" pack --version 2.0.0-rc.1+build.5 --board esp32-wrover --out site2 -C rel main.py >/dev/null
cp site2/versions "$man/prerelease-board"
printf '# comment\n\n1.0.0;a.tar;%s\r\n1.2.0;b.tar.gz;%s;size=10\n' "$(printf '%040d' 0)" "$(printf '%040d' 1)" >"$man/crlf-comment"

# ---- fuzz_semver: two versions, one per line ----
sv=$out/fuzz_semver
rm -rf "$sv" && mkdir -p "$sv"
printf '1.0.0\n1.0.1' >"$sv/patch"
printf '1.0.0-alpha\n1.0.0-alpha.1' >"$sv/prerelease"
printf '1.0.0-alpha.beta\n1.0.0-beta.11' >"$sv/prerelease-alnum"
printf '1.0.0-rc.1+build.1\n1.0.0+build.2' >"$sv/build-metadata"
printf '10.20.30\n9.200.300' >"$sv/numeric"
echo "seeds written under $out"
