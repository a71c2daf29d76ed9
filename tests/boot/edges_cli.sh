#!/usr/bin/env bash
# Issue 16's cases as a user meets them with the CLI, each with its exact
# message and a check that nothing else on the card changed:
#   1. a release with more entries than the bootloader installs is refused by
#      pack, verify, sim stage and sim ota before it reaches the card;
#   2. a release that does not fit is refused before a byte is written, a
#      download that cannot complete leaves no .part, image ls lists it all;
#   3. a release the bootloader refuses (a seed line without entries=) is
#      not downloaded again by sim ota until a newer one is published;
#   4. a card with no release and no main.py: internal, with the reason.
set -euo pipefail
[ -n "${SDB_TRACE:-}" ] && { PS4='+ $(date +%s.%N) '; set -x; }
: "${SDBOOT:?}"
work=$(mktemp -d /tmp/sdb-edges-XXXXXX)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
fails=0; pass=0
check() { if "$@"; then pass=$((pass + 1)); else echo "FAIL: $*"; fails=$((fails + 1)); fi; }
expect_rc() { local want=$1; shift; set +e; "$@" >out.txt 2>&1; local rc=$?; set -e; [ "$rc" -eq "$want" ] || { echo "rc $rc != $want: $*"; cat out.txt; return 1; }; }
out_is() { [ "$(cat out.txt)" = "$1" ] || { echo "got:  $(cat out.txt)"; echo "want: $1"; return 1; }; }
out_has() { grep -qxF -- "$1" out.txt || { echo "no line '$1' in:"; cat out.txt; return 1; }; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export MTOOLS_SKIP_CHECK=1
limit=$(sed -n 's/^#define SDB_LIMIT_ENTRIES \([0-9]*\).*/\1/p' "$SDB_SRC/include/sdboot/limits.h")
too_many="release has more than $limit entries (files + directories), the limit of sdboot/limits.h"
"$SDBOOT" keygen key.pem pub.pem >/dev/null

files() { # files DIR COUNT BYTES: main.py and COUNT-1 files under app/
    python3 - "$@" <<'PY'
import os, sys
d, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(d + "/app", exist_ok=True)
open(d + "/main.py", "w").write("print(%r)\n" % d)
for i in range(2, count + 1):
    open("%s/app/f%d.bin" % (d, i), "wb").write(bytes([65 + i % 26]) * size)
PY
}
serve() { # serve DIR: sdboot serve on a free port, $url set
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    local port; port=$(free_port)
    "$SDBOOT" serve "$1" --port "$port" >serve.log 2>&1 &
    server=$!
    url=http://127.0.0.1:$port/
    for _ in $(seq 50); do curl -fs "$url/versions" >/dev/null 2>&1 && return; sleep 0.1; done
}

# ---- 1. entries: the same limit and message everywhere, before the card ----
files big $limit 16 # main.py, app/ and limit - 1 files: limit + 1 entries
check expect_rc 1 "$SDBOOT" pack --version 1.0.0 --out site-big --key key.pem -C big main.py app
check out_is "sdboot pack: big: $too_many"
check test ! -e site-big/1_0_0-firmware.tar
# an archive made by tar(1) with a line that does not say entries=: verify reads it
mkdir -p hand && tar -C big -cf hand/1_0_0-firmware.tar main.py app
echo "1.0.0;1_0_0-firmware.tar;$(sha1sum hand/1_0_0-firmware.tar | cut -d' ' -f1)" >hand/versions
check expect_rc 1 "$SDBOOT" verify hand
check out_has "FAIL 1.0.0 1_0_0-firmware.tar: $too_many"
# a line that says entries= above the limit: stage and ota refuse before writing
echo "1.0.0;1_0_0-firmware.tar;$(sha1sum hand/1_0_0-firmware.tar | cut -d' ' -f1);size=$(stat -c %s hand/1_0_0-firmware.tar);entries=$((limit + 1))" >hand/versions
"$SDBOOT" image create card1.img --size 64M >/dev/null # limit files of one cluster each
cp card1.img card1.before
check expect_rc 1 "$SDBOOT" sim stage --card card1.img --release hand --allow-unsigned
check out_has "sdboot sim stage: 1_0_0-firmware.tar: $too_many"
check cmp -s card1.img card1.before
serve hand
check expect_rc 1 "$SDBOOT" sim ota --card card1.img --url "$url" --allow-unsigned
check grep -qF "$too_many" out.txt
check cmp -s card1.img card1.before
# staged anyway (a line without entries=): the bootloader refuses it with the
# same message, and nothing outside /.sdboot changed
echo "1.0.0;1_0_0-firmware.tar;$(sha1sum hand/1_0_0-firmware.tar | cut -d' ' -f1);size=$(stat -c %s hand/1_0_0-firmware.tar)" >hand/versions
check expect_rc 0 "$SDBOOT" sim stage --card card1.img --release hand --allow-unsigned
check expect_rc 1 "$SDBOOT" sim boot --card card1.img # nothing else to run on card1
check out_has "event: install failed: $too_many"
check expect_rc 1 "$SDBOOT" image ls card1.img /main.py
check expect_rc 1 "$SDBOOT" image ls card1.img /.sdboot/next
check expect_rc 0 "$SDBOOT" image check card1.img
# the limit itself is accepted all the way
files ok $((limit - 1)) 16 # limit entries
check expect_rc 0 "$SDBOOT" pack --version 1.0.0 --out site-ok --key key.pem -C ok main.py app
check grep -q ";entries=$limit\$" site-ok/versions
check expect_rc 0 "$SDBOOT" verify site-ok --pubkey pub.pem
check expect_rc 0 "$SDBOOT" sim stage --card card1.img --release site-ok --pubkey pub.pem
check expect_rc 0 "$SDBOOT" sim boot --card card1.img
check out_has "version: 1.0.0 (on trial: boot 0 of 3, not confirmed)"

# ---- 2. a card left full ----
files v1 90 12000
files v2 2 2200000
"$SDBOOT" pack --version 1.0.0 --out site --key key.pem -C v1 main.py app >/dev/null
"$SDBOOT" image create card.img --size 4M >/dev/null
"$SDBOOT" sim stage --card card.img --release site --pubkey pub.pem >/dev/null
"$SDBOOT" sim boot --card card.img >/dev/null
"$SDBOOT" pack --version 1.1.0 --out site --key key.pem -C v2 main.py app >/dev/null
cp card.img card.before
check expect_rc 1 "$SDBOOT" sim stage --card card.img --release site --pubkey pub.pem
check grep -Eqx "sdboot sim stage: 1_1_0-firmware.tar: release does not fit in the card's free space \([0-9]+ bytes needed, [0-9]+ available\); nothing written" out.txt
check cmp -s card.img card.before
serve site
check expect_rc 1 "$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem
check grep -qF "release does not fit in the card's free space" out.txt
check cmp -s card.img card.before
# a seed line names no size: the download runs into the full card, and its .part goes
mkdir -p seed && cp site/1_1_0-firmware.tar seed/
echo "1.1.0;1_1_0-firmware.tar;$(sha1sum seed/1_1_0-firmware.tar | cut -d' ' -f1)" >seed/versions
free_before=$(mdir -i card.img ::/ | awk '/bytes free/ {gsub(" ",""); print}')
serve seed
check expect_rc 1 "$SDBOOT" sim ota --card card.img --url "$url" --allow-unsigned
check out_has "sdboot sim ota: update: no space left on card"
check bash -c "! mdir -i card.img ::/.sdboot/staging 2>/dev/null | grep -qi 'release.part\|resume'"
check test "$(mdir -i card.img ::/ | awk '/bytes free/ {gsub(" ",""); print}')" = "$free_before"
check expect_rc 0 "$SDBOOT" image check card.img
check bash -c "fsck.fat -n card.img | wc -l | grep -qx 2"
# image ls lists every entry mtools sees (long names as written)
lsnames() { "$SDBOOT" image ls "$1" "$2" | awk '{print $2}' | sed 's|/$||' | sort; }
mtnames() { mdir -i "$1" -b "::$2" | sed 's|/$||; s|.*/||' | sort; }
cp card.before part.img
mcopy -i part.img v2/app/f2.bin ::/.sdboot/staging/release.part 2>/dev/null || true
check test "$(lsnames part.img /.sdboot/staging)" = "$(mtnames part.img /.sdboot/staging)"
check test "$(lsnames part.img /.sdboot)" = "$(mtnames part.img /.sdboot)"
check test "$(lsnames part.img /app | wc -l)" = 89

# ---- 3. a seed line (no entries=) refused only at boot: no download-and-reset loop ----
files v3 3 16
"$SDBOOT" pack --version 1.0.0 --out site3 --key key.pem -C v3 main.py app >/dev/null
"$SDBOOT" image create card3.img --size 64M >/dev/null # room to extract limit + 2 entries
check expect_rc 0 "$SDBOOT" sim stage --card card3.img --release site3 --pubkey pub.pem
check expect_rc 0 "$SDBOOT" sim boot --card card3.img # 1.0.0 installed
mkdir -p seed3 && tar -C big -cf seed3/1_1_0-firmware.tar main.py app
echo "1.1.0;1_1_0-firmware.tar;$(sha1sum seed3/1_1_0-firmware.tar | cut -d' ' -f1)" >seed3/versions
serve seed3
check expect_rc 0 "$SDBOOT" sim ota --card card3.img --url "$url" --allow-unsigned
check out_has "  ota: staged 1.1.0: installed at the next boot"
check expect_rc 0 "$SDBOOT" sim boot --card card3.img
check out_has "event: install failed: $too_many"
check expect_rc 0 "$SDBOOT" sim status --card card3.img
check out_has "refused: 1.1.0 ($too_many)"
cp card3.img card3.before
check expect_rc 1 "$SDBOOT" sim ota --card card3.img --url "$url" --allow-unsigned
check out_has "  ota: not downloading 1.1.0 again: the bootloader refused it ($too_many)"
check out_has "sdboot sim ota: update: the bootloader refused this release: not downloaded again until a newer one is published"
check cmp -s card3.img card3.before
# a newer release is fetched and installed as usual
tar -C v3 -cf seed3/1_2_0-firmware.tar main.py app
echo "1.2.0;1_2_0-firmware.tar;$(sha1sum seed3/1_2_0-firmware.tar | cut -d' ' -f1)" >>seed3/versions
check expect_rc 0 "$SDBOOT" sim ota --card card3.img --url "$url" --allow-unsigned
check out_has "  ota: staged 1.2.0: installed at the next boot"
check expect_rc 0 "$SDBOOT" sim boot --card card3.img
check out_has "version: 1.2.0 (on trial: boot 0 of 3, not confirmed)"

# ---- 4. nothing to run: no release, no main.py -> internal, with the reason ----
"$SDBOOT" image create empty.img --size 8M >/dev/null
check expect_rc 1 "$SDBOOT" sim boot --card empty.img # the first boot initialises /.sdboot
check out_has "event: initialised"
cp empty.img empty.before
check expect_rc 1 "$SDBOOT" sim boot --card empty.img
check test "$(grep -v '^  sim: ' out.txt | sed 's/^card: .*/card:/')" = "  boot: no release installed and no /main.py on the card: nothing to run, using internal file system
decision: internal file system, nothing runs
reason: nothing to run: no release installed and no entry file on the card
card:"
check grep -q "^card: .* read in .*, 0 sectors written in 0 requests" out.txt
check cmp -s empty.img empty.before
printf 'print("mine")\n' >mine.py
"$SDBOOT" image put empty.img mine.py /main.py >/dev/null
check expect_rc 0 "$SDBOOT" sim boot --card empty.img
check out_has "decision: run /main.py from the card"
echo "edges cli: $pass passed, $fails failed"
[ "$fails" -eq 0 ]
