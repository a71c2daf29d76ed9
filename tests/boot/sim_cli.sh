#!/usr/bin/env bash
# The simulator CLI end to end: provision, update, confirm, roll back, power cut
# with exit 75 and recovery; every step checked by exit code and output.
set -euo pipefail
: "${SDBOOT:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" sim-cli
expect_rc() { local want=$1; shift; set +e; "$@" >out.txt 2>&1; local rc=$?; set -e; [ "$rc" -eq "$want" ] || { echo "rc $rc != $want: $*"; cat out.txt; return 1; }; }

mkdir -p v1/app v2/app
echo "print('v1')" > v1/main.py; echo "A=1" > v1/app/a.py
echo "print('v2')" > v2/main.py; echo "A=2" > v2/app/a.py
"$SDBOOT" keygen key.pem pub.pem >/dev/null
"$SDBOOT" pack --version 1.0.0 --out site --key key.pem -C v1 main.py app >/dev/null
"$SDBOOT" image create card.img --size 8M >/dev/null

check expect_rc 2 "$SDBOOT" sim stage --card card.img --release site
check grep -q "needs --pubkey" out.txt
check expect_rc 0 "$SDBOOT" sim stage --card card.img --release site --pubkey pub.pem
check grep -q "staged 1.0.0" out.txt
check expect_rc 0 "$SDBOOT" sim boot --card card.img
check grep -q "event: installed" out.txt
# sim stage staged the release's index with it; the bootloader keeps it
rm -f kept.idx
check env MTOOLS_SKIP_CHECK=1 mcopy -n -i card.img ::/.sdboot/current.idx kept.idx
check cmp -s kept.idx site/1_0_0-firmware.tar.idx
check expect_rc 0 "$SDBOOT" sim confirm --card card.img
check expect_rc 0 "$SDBOOT" sim boot --card card.img
check expect_rc 0 "$SDBOOT" sim boot --card card.img
check grep -q "0 sectors written in 0 requests" out.txt
check expect_rc 0 "$SDBOOT" sim stage --card card.img --release site --pubkey pub.pem
check grep -q "up to date" out.txt

# update, then a power cut in the middle of its install: exit 75, next boot recovers
"$SDBOOT" pack --version 1.1.0 --out site --key key.pem -C v2 main.py app >/dev/null
check expect_rc 0 "$SDBOOT" sim stage --card card.img --release site --pubkey pub.pem
check expect_rc 75 "$SDBOOT" sim boot --card card.img --power-cut-after 20
check grep -q "power cut after 20 sector writes" out.txt
check expect_rc 0 "$SDBOOT" sim boot --card card.img
check grep -Eq "version: 1\.(0\.0|1\.0)" out.txt
check expect_rc 0 "$SDBOOT" image check card.img
check bash -c "fsck.fat -n card.img | wc -l | grep -qx 2"

# never confirmed: three trial boots, then back to 1.0.0
for i in 1 2 3 4; do "$SDBOOT" sim boot --card card.img >/dev/null; done
check expect_rc 0 "$SDBOOT" sim boot --card card.img
check grep -q "version: 1.0.0" out.txt
check expect_rc 0 "$SDBOOT" sim status --card card.img
check grep -q "last event: rolled back" out.txt
"$SDBOOT" image get card.img /main.py main.out
check grep -q "v1" main.out

# the seed's boot cases from the command line
check expect_rc 1 "$SDBOOT" sim boot --card card.img --no-card
check grep -q "no card" out.txt
check expect_rc 1 "$SDBOOT" sim boot --card card.img --recovery-pin
check grep -q "recovery" out.txt
check expect_rc 2 "$SDBOOT" sim boot
check expect_rc 1 "$SDBOOT" sim boot --card missing.img
checks_done
