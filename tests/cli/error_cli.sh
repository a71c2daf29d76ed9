#!/usr/bin/env bash
# sdboot error CODE...: names the codes a device built with SDB_ERROR_MESSAGES=0
# logs as numbers, one "CODE: message" line each, with the host's tables; bad
# arguments are usage errors (exit 2) that print nothing on stdout.
set -uo pipefail
: "${SDBOOT:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" error

"$SDBOOT" error -40 -17 -2 >out.txt 2>err.txt
check [ $? -eq 0 ]
check [ ! -s err.txt ]
check [ "$(sed -n 1p out.txt)" = "-40: root directory full" ]
check [ "$(sed -n 2p out.txt)" = "-17: no card" ]
check [ "$(sed -n 3p out.txt)" = "-2: buffer too small" ]
check [ "$(wc -l <out.txt)" -eq 3 ]
# the boot layer's range: a real message, not the codes-only form
"$SDBOOT" error -227 >boot.txt
check [ "$(cat boot.txt)" = "-227: both boot state records are damaged" ]
"$SDBOOT" error -1000 >unknown.txt
check [ "$(cat unknown.txt)" = "-1000: unknown error -1000" ]
for bad in x 5 -4x ""; do
    "$SDBOOT" error "$bad" >out.txt 2>err.txt
    check [ $? -eq 2 ]
    check [ ! -s out.txt ]
    check grep -qx "sdboot error: '$bad' is not an error code (0 or a negative number) (see sdboot error --help)" err.txt
done
"$SDBOOT" error >out.txt 2>err.txt
check [ $? -eq 2 ]
check grep -qx "sdboot error: an error code is needed (see sdboot error --help)" err.txt
"$SDBOOT" error --help >help.txt
check grep -q '^usage: sdboot error CODE' help.txt
checks_done
