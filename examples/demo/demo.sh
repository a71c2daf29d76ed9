#!/usr/bin/env bash
# make demo: the whole sdboot story on a simulated device, with real parts.
#   publish 1.0.0 -> provision an SD image -> boot -> confirm
#   publish 1.1.0 -> the device finds, downloads (progress), stages -> reboot on trial -> confirm
#   publish 1.2.0 that never confirms -> after 3 trial boots, back to 1.1.0
#   publish 1.3.0 -> power cut in the middle of its install -> next boot recovers
#   publish 1.4.0 -> a delta over the installed delta, made against the base the card keeps
# Everything lives in one temporary folder (named below), removed at the end
# unless DEMO_KEEP=1; the release server is stopped on any exit.
set -euo pipefail
SDBOOT=${1:-build/sdboot}
SDBOOT=$(cd "$(dirname "$SDBOOT")" && pwd)/$(basename "$SDBOOT")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/sdboot-demo-XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  if [ "${DEMO_KEEP:-0}" = 1 ]; then echo "demo files kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
cd "$work"
export SDBOOT_PROGRESS=1 SOURCE_DATE_EPOCH=1700000000 TZ=UTC
step=0
summary=()
say() { step=$((step + 1)); printf '\n\033[1m%2d. %s\033[0m\n' "$step" "$*"; }
show() { sed 's/^/    /'; }
record() { summary+=("$(printf '%-44s %-8s %s' "$1" "$2" "$3")"); }
version_of() { "$SDBOOT" sim status --card card.img | awk '/^installed:/ {print $2}'; }

publish() { # VERSION MESSAGE [confirm|noconfirm]
  rm -rf "src-$1"; cp -r "$root/examples/app" "src-$1"; cp pub.pem "src-$1/app/pubkey.pem"
  printf 'def message(version):\n    return "%s (release %%s)" %% version\n' "$2" > "src-$1/app/greeting.py"
  [ "$1" = 1.1.0 ] && head -c 1500000 /dev/urandom > "src-$1/app/assets.bin"
  [ "${3:-}" = noconfirm ] && sed -i 's/^sdboot.confirm()/raise RuntimeError("this release crashes before confirming")/' "src-$1/main.py"
  "$SDBOOT" pack --version "$1" --out site --key key.pem -C "src-$1" main.py app | show
}

say "Demo folder: $work"
echo "    sdboot: $SDBOOT"

say "The owner makes a signing key (ECDSA P-256)"
"$SDBOOT" keygen key.pem pub.pem | show

say "Publish release 1.0.0 of the example application (main.py + app/)"
publish 1.0.0 "hello"

say "Make a 64 MiB SD card image and provision 1.0.0 on it (as the factory would)"
"$SDBOOT" image create card.img --size 64M | show
"$SDBOOT" sim stage --card card.img --release site --pubkey pub.pem | show
"$SDBOOT" sim boot --card card.img | show
"$SDBOOT" sim confirm --card card.img | show
"$SDBOOT" sim boot --card card.img | show
record "provision 1.0.0" "$(version_of)" "installed, confirmed"

say "Start the release server on loopback"
"$SDBOOT" serve site --port 0 --quiet > serve.out 2>&1 &
server=$!
for _ in $(seq 50); do grep -q serving serve.out 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' serve.out)
echo "    $(head -1 serve.out)"

say "Publish 1.1.0 (with a 1.5 MB asset); the device checks and downloads it"
publish 1.1.0 "hello, improved"
"$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem 2>&1 | show
say "Reboot: the bootloader verifies and installs 1.1.0 under its journal, on trial"
"$SDBOOT" sim boot --card card.img | show
say "The application starts fine and confirms 1.1.0"
"$SDBOOT" sim confirm --card card.img | show
"$SDBOOT" sim boot --card card.img | show
record "update to 1.1.0 over HTTP" "$(version_of)" "downloaded, installed, confirmed"

say "Publish 1.2.0, a bad release that crashes before it confirms"
publish 1.2.0 "broken" noconfirm
"$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem 2>&1 | show
say "Reboot into 1.2.0 on trial; it never confirms"
for i in 1 2 3 4; do "$SDBOOT" sim boot --card card.img | grep -E "boot:|version" | show; done
"$SDBOOT" sim boot --card card.img | grep -E "boot:|version" | show
record "bad release 1.2.0 (never confirms)" "$(version_of)" "rolled back after 3 trial boots"

say "Publish 1.3.0 and pull the power in the middle of its install"
publish 1.3.0 "hello again"
"$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem 2>&1 | show
set +e
"$SDBOOT" sim boot --card card.img --power-cut-after 40 2>&1 | show
rc=${PIPESTATUS[0]}
set -e
echo "    (exit code $rc: the device lost power after 40 sector writes)"
say "Power comes back: the bootloader finishes the interrupted install"
"$SDBOOT" sim boot --card card.img | show
"$SDBOOT" sim confirm --card card.img | show
"$SDBOOT" sim boot --card card.img | grep -E "version" | show
record "power cut during install of 1.3.0" "$(version_of)" "recovered at the next boot"

say "Publish 1.4.0; 1.3.0 runs as a delta, so 1.4.0 is a delta too, made against the base"
"$SDBOOT" sim status --card card.img | grep "installed as" | show
publish 1.4.0 "hello, once more"
"$SDBOOT" sim ota --card card.img --url "$url" --pubkey pub.pem 2>&1 | grep -E "fetched|staged" | show
"$SDBOOT" sim boot --card card.img | grep -E "boot:|version" | show
"$SDBOOT" sim confirm --card card.img | show
"$SDBOOT" sim boot --card card.img | grep -E "version" | show
"$SDBOOT" sim status --card card.img | grep "installed as" | show
record "update to 1.4.0, a delta over a delta" "$(version_of)" "only what differs from the base fetched"

say "The card, checked by dosfstools"
fsck.fat -n card.img | show
"$SDBOOT" image ls card.img / | show

printf '\n\033[1mSummary\033[0m\n'
printf '    %-44s %-8s %s\n' "step" "version" "result"
for line in "${summary[@]}"; do echo "    $line"; done
echo
echo "demo finished: every step above ran on the real code paths (FAT driver, journal, HTTP, signatures)"
