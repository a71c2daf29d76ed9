#!/usr/bin/env bash
# Deltas over deltas: 1.0.0 installed whole (100 files of 2,000 bytes), then
# 1.1.0, 1.2.0 and 1.3.0, each changing 5 more files, all three fetched as
# deltas against the base 1.0.0 over sdboot serve and over nginx:
#  - each step fetches exactly the files that differ from the base (5, 10,
#    15), its bytes downloaded stay under those files' bytes plus the index
#    and the multipart framing, and the booted tree is the published one,
#    fsck-clean;
#  - during each trial the card keeps at most twice the release (the base,
#    both deltas, the parked files), after the confirmation the base and one
#    delta;
#  - 1.3.0 left unconfirmed rolls back to 1.2.0, still a delta over 1.0.0,
#    which is then repaired from its delta and the base;
#  - sdboot sim status says what is installed as what;
#  - no delta when the manifest no longer lists the base, or when the new
#    delta with the installed one would exceed half the release: whole.
# Prints "step VERSION: fetched N files, B bytes downloaded" for each step.
set -euo pipefail
: "${SDBOOT:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" ota-delta-chain
chmod 755 "$work" # nginx's workers read the site as another user

mkdir -p v1/app
echo "print('v1')" > v1/main.py
for i in $(seq 100); do head -c 2000 /dev/urandom > "v1/app/f$i.bin"; done
"$SDBOOT" keygen key.pem pub.pem >/dev/null
mkdir site
"$SDBOOT" pack --version 1.0.0 --out site --key key.pem -C v1 main.py app >/dev/null
cp -r site site1
for n in 2 3 4; do # vN changes 5 more files than v(N-1)
  cp -r "v$((n - 1))" "v$n"
  for i in $(seq $((n * 5 - 9)) $((n * 5 - 5))); do head -c 2000 /dev/urandom > "v$n/app/f$i.bin"; done
  "$SDBOOT" pack --version "1.$((n - 1)).0" --out site --key key.pem -C "v$n" main.py app >/dev/null
  cp -r site "site$n"
done
tar_size=$(stat -c %s site/1_3_0-firmware.tar)

publish() { rm -rf www/* && cp -r "$1"/. www/; } # the server's directory becomes site N
kept_bytes() { # what the card keeps for repair and rollback
  rm -rf keptdir && mkdir keptdir && mcopy -s -n -i card.img ::/.sdboot keptdir/ 2>/dev/null
  find keptdir/.sdboot -type f ! -path '*/staging/*' ! -name 'state.?' -printf '%s\n' |
    awk '{s += $1} END {print s + 0}'
}
tree_is() { # vN: the card's /app and main.py are that tree
  rm -rf got && mkdir got && mcopy -s -n -i card.img ::/app ::/main.py got/ 2>/dev/null &&
    diff -r got/app "$1/app" > /dev/null && cmp -s got/main.py "$1/main.py"
}

step() { # N WHERE: stage release 1.(N-1).0 as a delta, boot it, check, confirm
  local n=$1 where=$2 version="1.$(($1 - 1)).0" files=$(( ($1 - 1) * 5 ))
  run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 5
  local got; got=$(grep -o '^fetched .*' out.txt || true)
  local bytes; bytes=$(echo "$got" | awk '{print $4}')
  local idx; idx=$(stat -c %s "site/${version//./_}-firmware.tar.idx")
  if [ "$rc" -eq 0 ] && echo "$got" | grep -q "^fetched $files files, [0-9]* bytes downloaded" &&
     [ "$bytes" -le $((files * 2000 + idx + 4096)) ]; then ok
  else bad "$where $version: rc=$rc '$got'"; cat out.txt; fi
  echo "step $version over $where: fetched $files files, $bytes bytes downloaded (release tar $tar_size)"
  run "$SDBOOT" sim boot --card card.img
  check grep -q "^version: $version" out.txt
  check tree_is "v$n"
  check "$SDBOOT" image check card.img
  local kept; kept=$(kept_bytes)
  check [ "$kept" -le $((2 * tar_size)) ]
  "$SDBOOT" sim status --card card.img > st.txt
  check grep -q "^installed as: a delta over 1.0.0" st.txt
  echo "  kept during the trial: $kept bytes"
}

chain() { # WHERE: 1.0.0 whole, then three deltas, over the server at $url
  local where=$1
  publish site1
  rm -f card.img && "$SDBOOT" image create card.img --size 16M >/dev/null
  run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem
  check [ "$rc" -eq 0 ]
  "$SDBOOT" sim boot --card card.img >/dev/null
  "$SDBOOT" sim confirm --card card.img >/dev/null
  "$SDBOOT" sim boot --card card.img >/dev/null
  "$SDBOOT" sim status --card card.img > st.txt
  check grep -q "^installed as: whole" st.txt
  for n in 2 3; do
    publish "site$n"
    step "$n" "$where"
    "$SDBOOT" sim confirm --card card.img >/dev/null
    "$SDBOOT" sim boot --card card.img >/dev/null
    check bash -c "! '$SDBOOT' image ls card.img /.sdboot | grep -qE 'previous.dlt| prev/'"
  done
  cp card.img card-1.2.0.img # 1.2.0 confirmed, a delta over 1.0.0
  publish site4
  step 4 "$where"
}

# sdboot serve
mkdir www
rm -f serve.out
"$SDBOOT" serve www --quiet > serve.out 2>&1 &
pids+=($!); srv=$!
for _ in $(seq 50); do grep -qs serving serve.out && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' serve.out)
chain "sdboot serve"
kill "$srv"; wait "$srv" 2>/dev/null || true

# 1.3.0 is never confirmed: after its trial boots it rolls back to 1.2.0, the
# delta over 1.0.0 it replaced (its files back from prev/, its delta from
# previous.dlt), which is then repaired like any delta.
for _ in 1 2 3; do "$SDBOOT" sim boot --card card.img >/dev/null; done
run "$SDBOOT" sim boot --card card.img
check grep -q "^version: 1.2.0" out.txt
check grep -q "rolling back to 1.2.0" out.txt
check tree_is v3
check "$SDBOOT" image check card.img
"$SDBOOT" sim status --card card.img > st.txt
check grep -q "^installed as: a delta over 1.0.0" st.txt
mdel -i card.img ::/app/f6.bin ::/app/f1.bin ::/main.py # a 1.2.0 file, a 1.1.0 one, the base's
run "$SDBOOT" sim boot --card card.img
check grep -q "^version: 1.2.0" out.txt
check tree_is v3
check "$SDBOOT" image check card.img

# No delta where the base cannot be checked or the card would keep too much:
# the manifest no longer lists the base (its index cannot be checked against
# a signed line), and a delta that fits half the release alone but not with
# the installed delta kept beside it (45 files: 116 KiB of 133; with 1.2.0's
# 26 KiB, over): each downloaded whole, and installed.
whole_from() { # SITE VERSION WHY: from 1.2.0, downloaded whole for WHY
  publish "$1"
  cp card-1.2.0.img card.img
  run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 5
  if [ "$rc" -eq 0 ] && grep -q "$3" out.txt && ! grep -q '^fetched' out.txt; then ok
  else bad "whole $2 ($3): rc=$rc"; cat out.txt; fi
  run "$SDBOOT" sim boot --card card.img
  check grep -q "^version: $2" out.txt
  check "$SDBOOT" image check card.img
}
cp -r site4 site-nobase
sed -i '/^1\.0\.0;/d' site-nobase/versions
openssl dgst -sha256 -sign key.pem -out site-nobase/versions.sig site-nobase/versions
"$SDBOOT" serve www --quiet > serve.out 2>&1 &
pids+=($!); srv=$!
for _ in $(seq 50); do grep -qs serving serve.out && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' serve.out)
whole_from site-nobase 1.3.0 "no index for 1.0.0 (the base of the installed delta): whole download"
cp -r v3 v5 && cp -r site3 site5
for i in $(seq 11 45); do head -c 2000 /dev/urandom > "v5/app/f$i.bin"; done
"$SDBOOT" pack --version 1.4.0 --out site5 --key key.pem -C v5 main.py app >/dev/null
whole_from site5 1.4.0 "the changed files with the installed delta are more than half the release"
kill "$srv"; wait "$srv" 2>/dev/null || true

# nginx: the same chain from a production server
publish site1
serve_nginx "$work/www"
chain "nginx"
check grep -q '"GET /1_3_0-firmware.tar HTTP/1.1" 206' ngx/logs/access.log
kill "$ngx"; wait "$ngx" 2>/dev/null || true

checks_done
