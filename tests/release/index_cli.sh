#!/usr/bin/env bash
# The per-file index of a release (index.h): what sdboot pack writes, checked
# against Python's own tar reader; what sdboot inspect and verify show and
# refuse. Every bad index is refused with its own error: offset, size, hash,
# path that is not the tar's, a path the tar rules refuse, out of order, cut
# short, over the device's limits, not the signed one.
set -euo pipefail
: "${SDBOOT:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" index-cli
mkdir -p src/app/lib src/app/empty
echo "print('hi')" > src/main.py
head -c 5000 /dev/urandom > src/app/big.bin
: > src/app/empty.txt
long=app/lib/$(printf 'n%.0s' $(seq 120)).py; echo "long" > "src/$long"
"$SDBOOT" keygen key.pem pub.pem >/dev/null
"$SDBOOT" pack --version 1.0.0 --out site --key key.pem -C src main.py app > out.txt
tar=site/1_0_0-firmware.tar; idx=$tar.idx
check grep -q ", indexed, versions signed" out.txt
check test -s "$idx"
check grep -q ";index=$(sha256sum "$idx" | cut -d' ' -f1);entries=7$" site/versions

# The index agrees with Python's tarfile: every file's data offset, size, SHA-256.
check python3 - "$tar" "$idx" <<'PY'
import hashlib, sys, tarfile
tar, idx = sys.argv[1], sys.argv[2]
data = open(tar, "rb").read()
lines = open(idx).read().splitlines()
assert lines[0] == "sdboot-index 1 %d" % len(data), lines[0]
files = {l.split(" ", 4)[4]: l.split(" ") for l in lines[1:] if l[0] == "f"}
dirs = [l[2:] for l in lines[1:] if l[0] == "d"]
end = 0
for l in lines[1:]:  # pieces cover the tar without gap
    f = l.split(" ")
    if f[0] in "mf":
        assert int(f[1]) == end, l
        end += int(f[2])
        assert hashlib.sha256(data[int(f[1]):end]).hexdigest() == f[3], l
assert end == len(data)
with tarfile.open(tar) as t:
    members = t.getmembers()
for m in members:
    if m.isdir():
        assert m.name in dirs, m.name
        continue
    f = files.pop(m.name)
    assert (int(f[1]), int(f[2])) == (m.offset_data, m.size), (m.name, f)
    assert hashlib.sha256(data[m.offset_data:m.offset_data + m.size]).hexdigest() == f[3]
assert not files, files
PY
run "$SDBOOT" verify site --pubkey pub.pem
check [ "$rc" -eq 0 ]; check grep -q "ok   1.0.0 1_0_0-firmware.tar (.*index of 4 files)" out.txt
run "$SDBOOT" inspect "$tar"
check [ "$rc" -eq 0 ]; check grep -q "index $idx: 4 files, 3 directories" out.txt
off=$(python3 -c "import tarfile; print(tarfile.open('$tar').getmember('app/big.bin').offset_data)")
check grep -Eq "^ +$off +5000  [0-9a-f]{16}  app/big.bin$" out.txt
# gzip: no index (Range into a gzip stream means nothing); seed releases: as before
"$SDBOOT" pack --version 1.1.0 --out site --key key.pem --gzip -C src main.py app >/dev/null
check test ! -e site/1_1_0-firmware.tar.gz.idx
check bash -c "tail -1 site/versions | grep -vq 'index='"
run "$SDBOOT" verify site --pubkey pub.pem; check [ "$rc" -eq 0 ]
check grep -q "ok   1.1.0 1_1_0-firmware.tar.gz (.*, no index)" out.txt
mkdir seed && (cd src && tar -cf ../seed/0_0_1-firmware.tar app/ main.py)
(cd seed && echo "0.0.1;0_0_1-firmware.tar;$(sha1sum 0_0_1-firmware.tar | cut -d' ' -f1)" > versions)
run "$SDBOOT" verify seed; check [ "$rc" -eq 0 ]; check grep -q "no index" out.txt
run "$SDBOOT" inspect seed/0_0_1-firmware.tar; check [ "$rc" -eq 0 ]; check grep -q "^no index" out.txt

# Bad indexes: each edit keeps the pieces contiguous where it can, and the
# versions line is re-signed over the bad index's hash, so the check that fires
# is the one the case is about. The tar and the good index stay as they were.
cp "$idx" good.idx; cp site/versions good.versions; cp site/versions.sig good.sig; cp "$tar" good.tar
tamper() { # PYTHON-EXPRESSION over `lines` (a list), then EXPECTED message, LINE
  python3 - "$1" <<'PY'
import sys
lines = open("good.idx").read().splitlines()
def f(i): return lines[i].split(" ")
def put(i, parts): lines[i] = " ".join(parts)
exec(sys.argv[1])
open("site/1_0_0-firmware.tar.idx", "w").write("\n".join(lines) + "\n")
PY
  sum=$(sha256sum "$idx" | cut -d' ' -f1)
  sed "1s/index=[0-9a-f]*/index=$sum/" good.versions > site/versions
  openssl dgst -sha256 -sign key.pem -out site/versions.sig site/versions
  run "$SDBOOT" verify site --pubkey pub.pem
  checks=$((checks + 2))
  if ! { [ "$rc" -eq 1 ] && grep -q "FAIL 1.0.0 1_0_0-firmware.tar: $2" out.txt && cmp -s "$tar" good.tar; }; then
    echo "FAIL: tamper '$1': expected '$2'"; cat out.txt; fails=$((fails + 1)); fi
  run "$SDBOOT" inspect "$tar"
  if ! { [ "$rc" -eq 1 ] && grep -q "refused: $2" out.txt && cmp -s "$tar" good.tar; }; then
    echo "FAIL: inspect after '$1': expected '$2'"; cat out.txt; fails=$((fails + 1)); fi
}
# the line of app/big.bin and the m piece before it
big=$(grep -n ' app/big.bin$' good.idx | cut -d: -f1); big=$((big - 1)); m=$((big - 1))
while [ "$(sed -n "$((m + 1))p" good.idx | cut -c1)" != m ]; do m=$((m - 1)); done
# data offset moved 512 bytes into the file (m longer, f shorter): offset
tamper "a=f($m); a[2]=str(int(a[2])+512); put($m,a); b=f($big); b[1]=str(int(b[1])+512); b[2]=str(int(b[2])-512); put($big,b)" "index: offset disagrees with the tar"
# one byte more data (the next m one shorter): size
tamper "b=f($big); b[2]=str(int(b[2])+1); put($big,b); n=f($big+1); n[1]=str(int(n[1])+1); n[2]=str(int(n[2])-1); put($big+1,n)" "index: file size disagrees with the tar"
# another hash
tamper "b=f($big); b[3]=('0' if b[3][0]!='0' else '1')+b[3][1:]; put($big,b)" "index: bytes do not match"
tamper "a=f($m); a[3]=('0' if a[3][0]!='0' else '1')+a[3][1:]; put($m,a)" "index: bytes do not match"
# a path that is not the tar's (still sorted, still legal)
tamper "b=f($big); b[4]='app/big.bim'; put($big,b)" "index: entry is not the tar's"
tamper "del lines[[i for i,l in enumerate(lines) if l.startswith('d app/empty')][0]]" "index: entry is not the tar's"
# paths the tar rules refuse
tamper "b=f($big); b[4]='app/../../etc/x'; put($big,b)" "tar: '..' in a path"
tamper "b=f($big); b[4]='/etc/passwd'; put($big,b)" "tar: absolute path"
tamper "lines.insert(1+0, lines[1]); lines[2]='d .sdboot'" "index: entries out of order\|reserved for the bootloader"
tamper "b=f($big); b[4]='app/con'; put($big,b)" "tar: a name FAT cannot hold\|FAT"
# out of order, cut short, not the signed one
tamper "i=[i for i,l in enumerate(lines) if l.startswith('d ')]; lines[i[0]],lines[i[1]]=lines[i[1]],lines[i[0]]" "index: entries out of order"
tamper "del lines[-1]" "index: ends before the tar does"
tamper "lines[0]='sdboot-index 2 10240'" "index: malformed line"
cp good.idx "$idx"; echo "# extra" >> "$idx"; cp good.versions site/versions; cp good.sig site/versions.sig
run "$SDBOOT" verify site --pubkey pub.pem
check [ "$rc" -eq 1 ]; check grep -q "index: SHA-256 of the index is not the signed one" out.txt
cp good.idx "$idx"
run "$SDBOOT" verify site --pubkey pub.pem; check [ "$rc" -eq 0 ]

# Over the device's limits: more entries than a device holds (2048; pack refuses
# such a tree, so the index is made by hand, sorted and otherwise valid)
tamper "lines.extend('d zz%04d' % i for i in range(2100))" "index: larger than this device's limits"
cp good.idx "$idx"; cp good.versions site/versions; cp good.sig site/versions.sig

checks_done
