#!/usr/bin/env bash
# sdboot --version / sdboot version: the number of project(VERSION) in
# CMakeLists.txt (and the ESP-IDF component agrees), the commit of the checkout
# the build was configured from, the same line in every sim command's log, and
# a source tree that is not a git checkout configures to the number alone.
set -uo pipefail
: "${SDBOOT:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" version

want=$(sed -n 's/^project(sdboot VERSION \([0-9][0-9.]*\) .*/\1/p' "$SDB_SRC/CMakeLists.txt")
check [ -n "$want" ]
check grep -qx "version: \"$want\"" "$SDB_SRC/ports/esp-idf/idf_component.yml"

"$SDBOOT" --version >long.txt 2>err.txt
check [ $? -eq 0 ]
check [ ! -s err.txt ]
"$SDBOOT" version >cmd.txt
check cmp -s long.txt cmd.txt
first=$(head -n1 long.txt)
commit=$(git -C "$SDB_SRC" rev-parse --short=12 HEAD 2>/dev/null)
if [ -n "$commit" ]; then
    check grep -Eqx "sdboot $want \\(git $commit(, modified)?\\)" <<<"$first"
else
    check [ "$first" = "sdboot $want" ]
fi
check grep -Eq '^libraries: mbedTLS [0-9.]+, zlib [0-9.]+, libcurl [0-9.]+, libmicrohttpd [0-9.]+$' long.txt
"$SDBOOT" version --help >help.txt
check grep -q '^usage: sdboot version' help.txt
"$SDBOOT" --help | grep -q -- '--version' || { echo "FAIL: --version not in sdboot --help"; fails=$((fails + 1)); }
"$SDBOOT" version extra >out.txt 2>err.txt
check [ $? -eq 2 ]
check grep -qx "sdboot version: unexpected argument 'extra' (see sdboot version --help)" err.txt
check [ ! -s out.txt ]

# every sim command logs the build first
id=${first#sdboot }
"$SDBOOT" image create card.img --size 8M >/dev/null
"$SDBOOT" sim boot --card card.img >boot.txt
check [ "$(head -n1 boot.txt)" = "  sim: sdboot $id, card card.img" ]
"$SDBOOT" sim repair --card card.img >repair.txt 2>&1
check grep -qxF "  sim: sdboot $id, card card.img" repair.txt
"$SDBOOT" sim status --card card.img >status.txt
check [ "$(head -n1 status.txt)" = "  sim: sdboot $id, card card.img" ]

# a tree that is not a checkout (a release tarball): the number alone
mkdir src
tar -C "$SDB_SRC" --exclude=./.git --exclude='./build*' -cf - . | tar -C src -xf -
if cmake -S src -B src/b >cmake.txt 2>&1; then
    check grep -qx "#define SDBOOT_VERSION \"$want\"" src/b/include/sdboot/version.h
    check grep -qx '#define SDBOOT_GIT_COMMIT ""' src/b/include/sdboot/version.h
    check grep -qx '#define SDBOOT_GIT_DIRTY 0' src/b/include/sdboot/version.h
else
    check false "configure of the tree without .git failed: $(tail -n5 cmake.txt)"
fi

checks_done
