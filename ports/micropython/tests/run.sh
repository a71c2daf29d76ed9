#!/usr/bin/env bash
# Run the MicroPython story tests with a MicroPython binary that has the
# sdboot module (this script builds no MicroPython: pass its path).
#   ports/micropython/tests/run.sh /path/to/micropython [path/to/sdboot-cli]
# Fixtures (releases, card images) are made with the sdboot CLI in a temp dir.
set -euo pipefail
MPY=$(realpath "${1:?usage: run.sh MICROPYTHON [SDBOOT_CLI]}")
here=$(cd "$(dirname "$0")" && pwd)
SDBOOT=$(realpath "${2:-$here/../../../build/sdboot}")
work=$(mktemp -d /tmp/sdb-mpy-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

release() { # release VERSION: a tiny app whose main.py says which release it is
    mkdir -p "src-$1/app"
    printf 'from app import hello\nRELEASE = hello.RELEASE\nprint("main.py of release", RELEASE)\n' \
        >"src-$1/main.py"
    printf 'RELEASE = "%s"\n' "$1" >"src-$1/app/hello.py"
    "$SDBOOT" pack --version "$1" --out site --key key.pem -C "src-$1" main.py app >/dev/null
}
run() { echo "== $*"; (cd "$here" && "$MPY" "$@"); }

"$SDBOOT" keygen key.pem pub.pem >/dev/null
release 1.0.0
"$SDBOOT" image create card.img --size 8M >/dev/null
"$SDBOOT" sim stage --card "$work/card.img" --release site --pubkey pub.pem
cp card.img staged.img # a fresh card with 1.0.0 staged, for test_errors.py
run test_boot.py "$work/card.img"
run test_errors.py "$work/staged.img"

release 1.1.0
"$SDBOOT" sim stage --card "$work/card.img" --release site --pubkey pub.pem
run test_rollback.py "$work/card.img"

truncate -s 4M raw.img
run test_cases.py "$work/card.img" "$work/raw.img"

release 1.2.0
"$SDBOOT" serve site --port 0 >serve.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s serve.log ] && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' serve.log | head -1)
[ -n "$url" ] || { echo "sdboot serve did not start:"; cat serve.log; exit 1; }
"$SDBOOT" keygen other.pem other-pub.pem >/dev/null
run test_ota.py "$work/card.img" "$url" "$work/pub.pem" "$work/other-pub.pem"
# a server of the seed: tar made with tar(1), versions line "semver;file;sha1", unsigned
mkdir -p seed-src/app seed
printf 'from app import hello\nRELEASE = hello.RELEASE\n' >seed-src/main.py
printf 'RELEASE = "1.3.0"\n' >seed-src/app/hello.py
tar -C seed-src -cf seed/1_3_0-firmware.tar main.py app
echo "1.3.0;1_3_0-firmware.tar;$(sha1sum seed/1_3_0-firmware.tar | cut -d' ' -f1)" >seed/versions
"$SDBOOT" serve seed --port 0 >seed.log 2>&1 &
seed_server=$!
trap 'kill "$server" "$seed_server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s seed.log ] && break; sleep 0.1; done
seed_url=$(grep -o 'http://[^ ]*' seed.log | head -1)
run test_seed.py "$work/card.img" "$seed_url" "$work/pub.pem"

# the example of docs/micropython.md as written: its main.py (only the URL
# pointed at a test server), packed with pub.pem by the doc's own pack command
doc=$here/../../../docs/micropython.md
mkdir -p example-site myapp/app
"$SDBOOT" serve example-site --port 0 >example.log 2>&1 &
example_server=$!
trap 'kill "$server" "$seed_server" "$example_server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s example.log ] && break; sleep 0.1; done
example_url=$(grep -o 'http://[^ ]*' example.log | head -1)
awk '/^# main.py \(on the card/{on=1} on&&/^```/{exit} on' "$doc" >myapp/main.py
grep -q '"https://example.com/firmware/"' myapp/main.py || { echo "no example main.py in $doc"; exit 1; }
sed -i "s|https://example.com/firmware/|$example_url|" myapp/main.py
grep -q '^cp pub.pem myapp/' "$doc" || { echo "the doc no longer packs pub.pem"; exit 1; }
cp pub.pem myapp/
pack=$(grep -m1 '^sdboot pack --version 1.2.0 --out site ' "$doc" | sed 's/ *#.*//')
[ -n "$pack" ] || { echo "no pack command in $doc"; exit 1; }
example_release() { # example_release VERSION: the doc's pack command for VERSION
    printf 'RELEASE = "%s"\n' "$1" >myapp/app/hello.py
    local cmd=${pack/#sdboot /}
    cmd=${cmd/--version 1.2.0 --out site /--version $1 --out example-site }
    # shellcheck disable=SC2086 # the doc's words, split as a shell would
    "$SDBOOT" $cmd >/dev/null
}
example_release 2.0.0
"$SDBOOT" image create example.img --size 8M >/dev/null
"$SDBOOT" sim stage --card "$work/example.img" --release example-site --pubkey pub.pem >/dev/null
example_release 2.1.0
run test_example.py "$work/example.img" update 2.0.0
kill "$example_server"
wait "$example_server" 2>/dev/null || true
run test_example.py "$work/example.img" offline 2.1.0
echo "all MicroPython sdboot tests passed"
