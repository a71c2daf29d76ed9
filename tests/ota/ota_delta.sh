#!/usr/bin/env bash
# Delta updates over the network: 1.0.0 installed (by a whole download, which
# keeps its index), 1.1.0 offered with 6 of 60 files changed, one added, one
# dropped and main.py changed. Against sdboot serve and nginx (several ranges
# per request, multipart answers) and a misbehaving server:
#  - only the 8 new/changed files are fetched, 54 unchanged; the staged delta
#    installs and boots the published tree, fsck-clean, and the card keeps at
#    most twice the release; the next update over it is a delta against
#    1.0.0, the base the card keeps (tests/ota/ota_delta_chain.sh: three);
#  - a server that answers one range only: one range per request, same result;
#  - a server that ignores Range: the whole tar, same result;
#  - a server whose range bytes are wrong: refused by hash, card untouched;
#  - a connection reset mid-range and a power cut mid-download: resumed;
#  - an index the tar rules refuse, one over the device's limits, one with a
#    wrong piece hash: each refused with its own error, card untouched.
set -euo pipefail
: "${SDBOOT:?}" "${BADSERVER:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" ota-delta
chmod 755 "$work" # nginx's workers read the site as another user

mkdir -p v1/app/keep
echo "print('v1')" > v1/main.py; : > v1/app/keep/empty.txt
for i in $(seq 60); do head -c 4000 /dev/urandom > "v1/app/f$i.bin"; done
cp -r v1 v2
echo "print('v2')" > v2/main.py
for i in 1 11 21 31 41 51; do head -c 4000 /dev/urandom > "v2/app/f$i.bin"; done
head -c 3000 /dev/urandom > v2/app/new.bin; rm v2/app/f60.bin
"$SDBOOT" keygen key.pem pub.pem >/dev/null
"$SDBOOT" pack --version 1.0.0 --out site1 --key key.pem -C v1 main.py app >/dev/null
cp -r site1 site
"$SDBOOT" pack --version 1.1.0 --out site --key key.pem -C v2 main.py app >/dev/null
tar=site/1_1_0-firmware.tar; tar_size=$(stat -c %s "$tar"); idx_size=$(stat -c %s "$tar.idx")

start_serve() { # DIR: sdboot serve, sets $url (never the last server's: serve.out goes first)
  rm -f serve.out
  "$SDBOOT" serve "$1" --quiet > serve.out 2>&1 &
  pids+=($!); srv=$!
  for _ in $(seq 50); do grep -qs serving serve.out && break; sleep 0.1; done
  url=$(grep -o 'http://[^ ]*' serve.out)
}
start_bad() { # MODE
  rm -f port
  "$BADSERVER" site "$1" port > bad.out 2>&1 &
  badpid=$!; pids+=("$badpid")
  for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
  url="http://127.0.0.1:$(cat port)/"
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
untouched() { # nothing pending, 1.0.0 installed, no .part left from bad bytes
  "$SDBOOT" sim status --card card.img > st.txt
  grep -q "^installed: 1.0.0" st.txt && grep -q "^staged: no" st.txt &&
    ! "$SDBOOT" image ls card.img /.sdboot/staging | grep -q release.part
}
installs_v2() { # the next boot runs 1.1.0, the tree is v2's, the card is clean
  "$SDBOOT" sim boot --card card.img > boot.txt &&
    grep -q "^version: 1.1.0" boot.txt && "$SDBOOT" image check card.img > /dev/null &&
    rm -rf got && mkdir got && mcopy -s -n -i card.img ::/app ::/main.py got/ 2>/dev/null &&
    diff -r got/app v2/app > /dev/null && cmp -s got/main.py v2/main.py
}

# 1.0.0 by a whole download (the bootloader keeps its index), confirmed.
start_serve site1
"$SDBOOT" image create base.img --size 16M >/dev/null
run "$SDBOOT" sim ota --card base.img --url "$url" --pubkey pub.pem
check [ "$rc" -eq 0 ]
check bash -c "! grep -q '^fetched' out.txt"
"$SDBOOT" sim boot --card base.img >/dev/null
"$SDBOOT" sim confirm --card base.img >/dev/null
"$SDBOOT" sim boot --card base.img >/dev/null
check bash -c "'$SDBOOT' image ls base.img /.sdboot | grep -q current.idx"
stop "$srv"

delta_ok() { # NAME [sim ota args]: a delta that fetches exactly the 8 files
  local name=$1; shift
  cp base.img card.img
  run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 3 "$@"
  local got; got=$(grep -o '^fetched .*' out.txt || true)
  local bytes; bytes=$(echo "$got" | awk '{print $4}')
  if [ "$rc" -eq 0 ] && echo "$got" | grep -q "^fetched 8 files, [0-9]* bytes downloaded; 54 files unchanged" &&
     [ "$bytes" -lt $(( (tar_size + idx_size) / 4 )) ] && installs_v2; then ok
  else bad "$name: rc=$rc '$got'"; cat out.txt; fi
}

# sdboot serve: several ranges in one request
start_serve site
delta_ok "sdboot serve"
check grep -q "(1 range requests)" out.txt
# the boot checked every file of the delta against the signed index and installed it
check grep -q "^event: installed" boot.txt
# a power cut in the middle of the delta: nothing pending; the next run resumes
cp base.img card.img
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem
writes=$(grep -o 'card: [0-9]* sectors read, [0-9]* written' out.txt | awk '{print $5}')
cp base.img card.img
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --power-cut-after $((writes * 2 / 3))
check [ "$rc" -eq 75 ]
"$SDBOOT" sim status --card card.img > st.txt
check grep -q "^staged: no" st.txt
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem
if [ "$rc" -eq 0 ] && grep -q "resumed" out.txt && grep -q "^fetched 8 files" out.txt && installs_v2; then ok
else bad "power cut mid-delta, resumed: rc=$rc"; cat out.txt; fi
stop "$srv"

# After the delta: the card keeps the base archive, the delta's files, the two
# indexes and (until confirmed) the replaced files: at most twice the release.
rm -rf keptdir && mkdir keptdir && mcopy -s -n -i card.img ::/.sdboot keptdir/ 2>/dev/null
kept=$(find keptdir/.sdboot -type f ! -path '*/staging/*' ! -name 'state.?' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
check [ "$kept" -le $((2 * tar_size)) ]
check test -s keptdir/.sdboot/current.dlt
check test -d keptdir/.sdboot/prev
"$SDBOOT" sim confirm --card card.img >/dev/null
"$SDBOOT" sim boot --card card.img >/dev/null
check bash -c "! '$SDBOOT' image ls card.img /.sdboot | grep -q ' prev/'"
# The next update over a release installed as a delta: a delta again, made
# against the base (1.0.0, whose archive and index the card keeps): every file
# of 1.2.0 that differs from 1.0.0. Until it is confirmed the card keeps both
# deltas, still at most twice the release.
rm -rf v3 site3 && cp -r v2 v3 && echo "print('v3')" > v3/main.py && cp -r site site3
"$SDBOOT" pack --version 1.2.0 --out site3 --key key.pem -C v3 main.py app >/dev/null
start_serve site3
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem
check grep -q "^fetched 8 files, [0-9]* bytes downloaded; 54 files unchanged" out.txt
run "$SDBOOT" sim boot --card card.img
check grep -q "^version: 1.2.0" out.txt
"$SDBOOT" image ls card.img /.sdboot > ls.txt
check bash -c "grep -q current.dlt ls.txt && grep -q previous.dlt ls.txt && grep -q base.idx ls.txt"
rm -rf keptdir && mkdir keptdir && mcopy -s -n -i card.img ::/.sdboot keptdir/ 2>/dev/null
kept=$(find keptdir/.sdboot -type f ! -path '*/staging/*' ! -name 'state.?' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
check [ "$kept" -le $((2 * tar_size)) ]
rm -rf got && mkdir got && mcopy -s -n -i card.img ::/app ::/main.py got/ 2>/dev/null
check diff -r got/app v3/app
check cmp -s got/main.py v3/main.py
check "$SDBOOT" image check card.img
stop "$srv"
# A release that adds a folder: a delta carries files only (an empty new
# folder would be missing), so it is downloaded whole, and the folder is there.
rm -rf v4 site4 && cp -r v1 v4 && mkdir v4/app/newdir && cp -r site1 site4
"$SDBOOT" pack --version 1.1.0 --out site4 --key key.pem -C v4 main.py app >/dev/null
start_serve site4
cp base.img card.img
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem
check [ "$rc" -eq 0 ]
check grep -q "the release adds a directory: whole download" out.txt
check bash -c "! grep -q '^fetched' out.txt"
run "$SDBOOT" sim boot --card card.img
check grep -q "^version: 1.1.0" out.txt
check bash -c "'$SDBOOT' image ls card.img /app | grep -q ' newdir/\$'"
check "$SDBOOT" image check card.img
stop "$srv"
# A delta the bootloader refuses (its archive damaged on the card) is not
# staged again: after a failed install the next download is whole.
start_serve site
cp base.img card.img
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem
check grep -q "^fetched 8 files" out.txt
rm -f dl.tar && mcopy -n -i card.img ::/.sdboot/staging/release.tar dl.tar
python3 -c "b = bytearray(open('dl.tar', 'rb').read()); b[600] ^= 1; open('dl.tar', 'wb').write(b)"
mcopy -o -i card.img dl.tar ::/.sdboot/staging/release.tar
run "$SDBOOT" sim boot --card card.img
check grep -q "^event: install failed" out.txt
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem
check grep -q "last install failed" out.txt
check bash -c "! grep -q '^fetched' out.txt"
check installs_v2
stop "$srv"

# nginx: multipart/byteranges from a production server
serve_nginx "$work/site"
delta_ok "nginx"
check grep -q "(1 range requests)" out.txt
check grep -q '"GET /1_1_0-firmware.tar HTTP/1.1" 206' ngx/logs/access.log
stop "$ngx"

# A server that answers only the first of several ranges: one per request.
start_bad ok
delta_ok "one range answered"
check grep -q "one range at a time" out.txt
stop "$badpid"
# A server that ignores Range: the whole tar, and it still installs.
start_bad norange
cp base.img card.img
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 3
if [ "$rc" -eq 0 ] && grep -q "server ignores Range: whole download" out.txt &&
   ! grep -q "^fetched" out.txt && installs_v2; then ok; else bad "Range ignored: rc=$rc"; cat out.txt; fi
stop "$badpid"
# Wrong bytes in a range: refused by the piece's hash, card untouched.
start_bad wrongbytes
cp base.img card.img
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 3
if [ "$rc" -eq 1 ] && grep -q "index: bytes do not match" out.txt && untouched; then ok
else bad "wrong bytes: rc=$rc"; cat out.txt; fi
stop "$badpid"
# A reset in the middle of a range answer: resumed where it stood.
start_bad reset_once
delta_ok "reset mid-range"
check grep -q "resuming after a pause" out.txt
stop "$badpid"

# Bad indexes, re-signed so that the signature is not what refuses them.
resign() { # INDEX-FILE: put it in site/, its hash in the 1.1.0 line, sign
  cp "$1" "$tar.idx"
  local sum; sum=$(sha256sum "$tar.idx" | cut -d' ' -f1)
  sed -i "2s/index=[0-9a-f]*/index=$sum/" site/versions
  openssl dgst -sha256 -sign key.pem -out site/versions.sig site/versions
}
cp "$tar.idx" good.idx; cp site/versions good.versions; cp site/versions.sig good.sig
start_serve site
refused() { # INDEX-FILE EXPECTED
  resign "$1"
  cp base.img card.img
  run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 3
  if [ "$rc" -eq 1 ] && grep -q "$2" out.txt && untouched; then ok
  else bad "index $1: rc=$rc, expected '$2'"; cat out.txt; fi
}
sed 's| app/f11.bin$| app/../f11.bin|' good.idx > dotdot.idx
refused dotdot.idx "tar: '..' in a path"
line=$(grep -n ' app/f21.bin$' good.idx | cut -d: -f1)
awk -v n="$line" 'NR == n { $4 = "00" substr($4, 3) } { print }' good.idx > hash.idx
refused hash.idx "index: bytes do not match"
python3 - <<'PY'
# an index of more entries than a device holds (SDB_LIMIT_ENTRIES, 2048): valid otherwise
lines = open("good.idx").read().splitlines()
extra = ["d zz%04d" % i for i in range(2100)]  # sorted after main.py
last_m = max(i for i, l in enumerate(lines) if l.startswith("m "))
open("big.idx", "w").write("\n".join(lines[: last_m + 1] + extra + lines[last_m + 1 :]) + "\n")
PY
refused big.idx "index: larger than this device's limits"
cp good.idx "$tar.idx"; cp good.versions site/versions; cp good.sig site/versions.sig
stop "$srv"

checks_done
