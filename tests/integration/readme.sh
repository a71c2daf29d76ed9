#!/usr/bin/env bash
# Every command the README shows in a ```sh block runs, as written, from the
# repository root with the freshly built CLI, and succeeds. (```text blocks such
# as `make demo` are not run here: CI runs make test, and make demo runs alone.)
set -euo pipefail
: "${SDB_SRC:?}" "${SDB_BUILD:?}"
cd "$SDB_SRC"
# The README names one fixed work directory: two checkouts testing at once take turns.
exec 9>/tmp/sdb-readme.lock
flock 9
rm -rf /tmp/sdb-readme && mkdir -p /tmp/sdb-readme
script=$(mktemp /tmp/sdb-readme-XXXXXX.sh)
trap 'rm -f "$script"; rm -rf /tmp/sdb-readme' EXIT
# build/sdboot (and the build directory of cmake --install) in the README means the build under test
awk '/^```sh$/ {on=1; next} /^```/ {on=0} on' README.md |
  sed -e "s#build/sdboot#$SDB_BUILD/sdboot#g" -e "s#cmake --install build #cmake --install $SDB_BUILD #g" > "$script"
blocks=$(grep -c '^```sh$' README.md)
[ "$blocks" -ge 3 ] || { echo "README has $blocks sh blocks: the commands moved?"; exit 1; }
bash -euo pipefail "$script"
echo "readme: $blocks blocks, $(grep -c . "$script") lines ran"
