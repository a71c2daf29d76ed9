#!/usr/bin/env bash
# make uninstall: remove what `make install` put under DESTDIR+PREFIX, nothing
# else. The list is not kept from the last install (a later install of another
# prefix would change it): the build is installed again into a scratch
# directory and exactly those paths are removed, then sdboot's own directories
# if they are left empty. Shared directories (bin, man1...) stay.
# Usage: DESTDIR=... scripts/uninstall.sh BUILD PREFIX
set -euo pipefail
build=${1:?usage: uninstall.sh BUILD PREFIX}
prefix=${2:?usage: uninstall.sh BUILD PREFIX}
dest=${DESTDIR:-}
stage=$(mktemp -d "${TMPDIR:-/tmp}/sdb-uninstall-XXXXXX")
trap 'rm -rf "$stage"' EXIT
DESTDIR=$stage cmake --install "$build" --prefix "$prefix" >/dev/null
removed=0
while IFS= read -r -d '' f; do
    target=$dest${f#"$stage"}
    if [ -e "$target" ] || [ -L "$target" ]; then
        rm -f -- "$target"
        removed=$((removed + 1))
    fi
done < <(find "$stage" \( -type f -o -type l \) -print0)
while IFS= read -r -d '' d; do
    rmdir -- "$dest${d#"$stage"}" 2>/dev/null || true
done < <(find "$stage" -depth -type d -name sdboot -print0)
echo "uninstall: removed $removed files from $dest$prefix"
