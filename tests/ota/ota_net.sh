#!/usr/bin/env bash
# OTA against real and hostile servers, all on loopback:
#  - a misbehaving server: reset mid-body, stall, Content-Length short/long,
#    404/500, redirect loop, endless versions, release bigger than signed,
#    wrong hash, bad signature, Range ignored; each ends with its own error,
#    nothing pending and the installed release untouched;
#  - a reset mid-body is resumed and only the missing bytes are sent again;
#  - a power cut during the download leaves staging resumable, never pending;
#  - nginx over HTTP and HTTPS (test CA made here), and a release directory made
#    by hand exactly as the original README says, installed with --allow-unsigned.
set -euo pipefail
: "${SDBOOT:?}" "${BADSERVER:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" ota-net
chmod 755 "$work" # nginx's workers read the site as another user

# Releases: 1.0.0 installed on the card, 1.1.0 on the servers (a bigger file, so
# "half of it" means something).
mkdir -p v1/app v2/app
echo "print('v1')" > v1/main.py; echo "A=1" > v1/app/a.py
echo "print('v2')" > v2/main.py; head -c 300000 /dev/urandom | base64 > v2/app/data.txt
"$SDBOOT" keygen key.pem pub.pem >/dev/null
# --no-index: these are the whole-download cases (delta ones: ota_delta.sh)
"$SDBOOT" pack --version 1.0.0 --out site1 --key key.pem --no-index -C v1 main.py app >/dev/null
cp -r site1 site
"$SDBOOT" pack --version 1.1.0 --out site --key key.pem --no-index -C v2 main.py app >/dev/null
release=$(ls site/1_1_0-firmware.tar); size=$(stat -c %s "$release")
"$SDBOOT" image create base.img --size 16M >/dev/null
"$SDBOOT" sim stage --card base.img --release site1 --pubkey pub.pem >/dev/null
"$SDBOOT" sim boot --card base.img >/dev/null
"$SDBOOT" sim confirm --card base.img >/dev/null
"$SDBOOT" sim boot --card base.img >/dev/null

start_bad() { # MODE [DIR]
  rm -f port
  "$BADSERVER" "${2:-site}" "$1" port > bad.out 2>&1 &
  badpid=$!; pids+=("$badpid")
  for _ in $(seq 50); do [ -s port ] && break; sleep 0.1; done
  url="http://127.0.0.1:$(cat port)/"
}
stop_bad() { kill "$badpid" 2>/dev/null || true; wait "$badpid" 2>/dev/null || true; }
untouched() { # card: nothing pending, 1.0.0 installed
  "$SDBOOT" sim status --card "$1" > st.txt
  grep -q "^installed: 1.0.0" st.txt && grep -q "^staged: no" st.txt
}

hostile() { # MODE EXPECTED_MESSAGE [EXTRA ARGS]
  local mode=$1 want=$2; shift 2
  cp base.img card.img
  start_bad "$mode"
  run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 2 "$@"
  stop_bad
  if [ "$rc" -eq 1 ] && grep -q "$want" out.txt && untouched card.img; then ok
  else bad "$mode: rc=$rc, expected '$want'"; cat out.txt; fi
}
hostile stall "network timeout"
hostile shortlen "size does not match"
hostile longlen "shorter than its Content-Length"
hostile 404 "unexpected HTTP status"
hostile 500 "unexpected HTTP status"
hostile loop "too many redirects"
hostile endless "versions file too large"
hostile bigger "larger than its signed size"
hostile wronghash "hash does not match"
hostile badsig "signature does not verify"

# A downgrade offered by the server: refused as "up to date", nothing staged.
cp base.img card.img
"$SDBOOT" sim stage --card card.img --release site --pubkey pub.pem >/dev/null
"$SDBOOT" sim boot --card card.img >/dev/null   # now 1.1.0
start_bad ok site1
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 2
stop_bad
[ "$rc" -eq 0 ] && grep -q "up to date" out.txt && ok || { bad "downgrade"; cat out.txt; }

# Reset in the middle of the body: resumed with Range, only missing bytes sent.
cp base.img card.img
start_bad reset_once
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 2
stop_bad
# The client counts what it received over all attempts: exactly the file once.
# The server's second answer starts where the client stood and sends the rest.
second=$(grep '^request 2 ' bad.out || true)
from=$(echo "$second" | awk '{print $4}'); rest=$(echo "$second" | awk '{print $6}')
if [ "$rc" -eq 0 ] && grep -q "($size bytes, $size downloaded" out.txt && [ -n "$from" ] &&
   [ "$from" -gt 0 ] && [ $((from + rest)) -eq "$size" ]; then ok
else bad "resume after reset: rc=$rc second request '$second'"; cat out.txt bad.out; fi

# Range ignored after a reset: starts over from byte 0 and still ends verified.
cp base.img card.img
start_bad norange_reset
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 2
stop_bad
second=$(grep '^request 2 ' bad.out || true)
if [ "$rc" -eq 0 ] && grep -q "staged 1.1.0" out.txt && [ "$(echo "$second" | awk '{print $4}')" = 0 ]; then ok
else bad "range ignored: rc=$rc second request '$second'"; cat out.txt; fi

# Power cut during the download: exit 75, nothing pending; the next run resumes.
cp base.img card.img
start_bad ok
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 2 --power-cut-after 600
[ "$rc" -eq 75 ] && untouched card.img && ok || { bad "power cut: rc=$rc"; cat out.txt; }
run "$SDBOOT" sim boot --card card.img
grep -q "version: 1.0.0" out.txt && ok || { bad "boot after a cut download"; cat out.txt; }
run "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem --timeout 2
stop_bad
[ "$rc" -eq 0 ] && grep -q "resumed" out.txt && ok || { bad "resume after power cut"; cat out.txt; }
run "$SDBOOT" sim boot --card card.img
grep -q "version: 1.1.0" out.txt && ok || { bad "install after resume"; cat out.txt; }

# ---- nginx: HTTP and HTTPS with a CA made here ----
http_port=$(free_port); https_port=$(free_port)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=sdboot test CA" \
  -keyout ca.key -out ca.pem >/dev/null 2>&1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=another CA" \
  -keyout other.key -out other.pem >/dev/null 2>&1
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout srv.key -out srv.csr >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' > san.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext -out srv.pem >/dev/null 2>&1
# the seed's way: plain tar, sha1sum, a versions line, no signature
mkdir -p seed
(cd v2 && tar -cf ../seed/0_0_1-firmware.tar app/ main.py)
(cd seed && echo "0.0.1;0_0_1-firmware.tar;$(sha1sum 0_0_1-firmware.tar | cut -d' ' -f1)" > versions)
start_nginx "$http_port" "server { listen 127.0.0.1:$http_port; location / { root $work/site; } location /seed/ { alias $work/seed/; } }
  server { listen 127.0.0.1:$https_port ssl; ssl_certificate $work/srv.pem; ssl_certificate_key $work/srv.key;
           location / { root $work/site; } }"

cp base.img card.img
run "$SDBOOT" sim ota --card card.img --url "http://127.0.0.1:$http_port/" --pubkey pub.pem
[ "$rc" -eq 0 ] && grep -q "staged 1.1.0" out.txt && ok || { bad "nginx http"; cat out.txt; }
run "$SDBOOT" sim boot --card card.img
grep -q "version: 1.1.0" out.txt && ok || { bad "nginx http install"; cat out.txt; }

cp base.img card.img
run "$SDBOOT" sim ota --card card.img --url "https://127.0.0.1:$https_port/" --pubkey pub.pem --ca ca.pem
[ "$rc" -eq 0 ] && grep -q "staged 1.1.0" out.txt && ok || { bad "nginx https"; cat out.txt; }
run "$SDBOOT" sim ota --card base.img --url "https://127.0.0.1:$https_port/" --pubkey pub.pem --ca other.pem --timeout 2
[ "$rc" -eq 1 ] && grep -q "TLS" out.txt && untouched base.img && ok || { bad "https with the wrong CA"; cat out.txt; }

"$SDBOOT" image create seed.img --size 16M >/dev/null
run "$SDBOOT" sim ota --card seed.img --url "http://127.0.0.1:$http_port/seed/" --pubkey pub.pem --timeout 2
[ "$rc" -eq 1 ] && grep -q "not signed" out.txt && ok || { bad "seed release needs --allow-unsigned"; cat out.txt; }
run "$SDBOOT" sim ota --card seed.img --url "http://127.0.0.1:$http_port/seed/" --allow-unsigned
[ "$rc" -eq 0 ] && grep -q "staged 0.0.1" out.txt && ok || { bad "seed release over nginx"; cat out.txt; }
run "$SDBOOT" sim boot --card seed.img
grep -q "version: 0.0.1" out.txt && ok || { bad "seed release install"; cat out.txt; }

checks_done
