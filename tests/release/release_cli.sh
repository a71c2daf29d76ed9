#!/usr/bin/env bash
# Release CLI and format interop: a release made exactly as the original README
# says, GNU tar / bsdtar / pax archives, openssl-made signatures (and a flipped
# bit), key rotation, and every refusal with its message and nothing written.
set -euo pipefail
: "${SDBOOT:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" release-cli
mkdir -p src/app/lib
echo "print('hi')" > src/main.py; echo "x=1" > src/app/a.py
long=src/app/lib/$(printf 'n%.0s' $(seq 120)).py; echo "long" > "$long"

# the seed's own recipe
mkdir seed && (cd src && tar -cvf ../seed/0_0_1-firmware.tar app/ main.py >/dev/null)
(cd seed && echo "0.0.1;0_0_1-firmware.tar;$(sha1sum 0_0_1-firmware.tar | cut -d' ' -f1)" > versions)
run "$SDBOOT" verify seed; check [ "$rc" -eq 0 ]; check grep -q "ok   0.0.1" out.txt
run "$SDBOOT" inspect seed/0_0_1-firmware.tar; check [ "$rc" -eq 0 ]; check grep -q "app/a.py" out.txt
# bsdtar, pax, gzip
(cd src && bsdtar -cf ../bsd.tar app main.py && tar --format=pax -cf ../pax.tar app main.py && tar -czf ../gnu.tgz app main.py)
for f in bsd.tar pax.tar gnu.tgz; do run "$SDBOOT" inspect $f; check [ "$rc" -eq 0 ]; check grep -q "nnnnnnnnnn.py" out.txt; done

# keygen refuses to overwrite; pack, verify, openssl signature both ways
"$SDBOOT" keygen k1.pem p1.pem >/dev/null
run "$SDBOOT" keygen k1.pem other.pem; check [ "$rc" -eq 1 ]; check [ ! -e other.pem ]
"$SDBOOT" pack --version 1.0.0 --out site --key k1.pem -C src main.py app >/dev/null
check openssl dgst -sha256 -verify p1.pem -signature site/versions.sig site/versions
openssl dgst -sha256 -sign k1.pem -out site/versions.sig site/versions
run "$SDBOOT" verify site --pubkey p1.pem; check [ "$rc" -eq 0 ]
# key rotation: a second key signs, a device trusting both accepts
"$SDBOOT" keygen k2.pem p2.pem >/dev/null
openssl dgst -sha256 -sign k2.pem -out site/versions.sig site/versions
run "$SDBOOT" verify site --pubkey p1.pem; check [ "$rc" -eq 1 ]; check grep -q "does not verify" out.txt
run "$SDBOOT" verify site --pubkey p1.pem --pubkey p2.pem; check [ "$rc" -eq 0 ]
# one flipped bit in the manifest or the signature
cp site/versions versions.good; printf '\x01' | dd of=site/versions bs=1 seek=3 conv=notrunc 2>/dev/null
run "$SDBOOT" verify site --pubkey p2.pem; check [ "$rc" -eq 1 ]
cp versions.good site/versions
cp site/versions.sig sig.good; printf '\x55' | dd of=site/versions.sig bs=1 seek=20 conv=notrunc 2>/dev/null
run "$SDBOOT" verify site --pubkey p2.pem; check [ "$rc" -eq 1 ]
cp sig.good site/versions.sig

# pack refusals: older version, symlink, reserved path; nothing written
before=$(ls site | sort | md5sum)
run "$SDBOOT" pack --version 0.9.0 --out site --key k1.pem -C src main.py
check [ "$rc" -eq 1 ]; check grep -q "not greater than the latest" out.txt
ln -s /etc/passwd src/app/evil
run "$SDBOOT" pack --version 2.0.0 --out site --key k1.pem -C src main.py app
check [ "$rc" -eq 1 ]; check grep -q "symbolic link" out.txt
rm src/app/evil; mkdir -p src/.sdboot; echo x > src/.sdboot/state.a
run "$SDBOOT" pack --version 2.0.0 --out site --key k1.pem -C src .sdboot
check [ "$rc" -eq 1 ]; check grep -q "reserved" out.txt
run "$SDBOOT" pack --version 2.0.0 --out site -C src main.py
check [ "$rc" -eq 1 ]; check grep -q "give --key" out.txt
check [ "$(ls site | sort | md5sum)" = "$before" ]
# inspect refuses hostile archives
(cd src && tar -cf ../dots.tar --transform 's,^,../,' main.py)
run "$SDBOOT" inspect dots.tar; check [ "$rc" -eq 1 ]; check grep -q "'..'" out.txt
checks_done
