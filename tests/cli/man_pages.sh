#!/usr/bin/env bash
# The man pages the build generated (scripts/manpages.sh, help2man): one for
# sdboot and for every command and sim subcommand that `--help` lists, each
# renders without a warning, and every line of that command's --help text is
# in its page, word for word and in order (help2man may only re-flow lines).
set -uo pipefail
: "${SDBOOT:?}" "${SDB_BUILD:?}"
man_dir=$SDB_BUILD/man
fails=0
checks=0
check() {
    checks=$((checks + 1))
    "$@" || { echo "FAIL: $*"; fails=$((fails + 1)); }
}

section() {
    "$SDBOOT" $1 --help | awk -v title="$2:" '$0 == title { on = 1; next }
        on && !/^  [a-z]/ { exit } on { print $1 }'
}
commands=("" $(section "" commands))
for sub in $(section sim subcommands); do commands+=("sim $sub"); done
check [ ${#commands[@]} -ge 15 ]
check [ "$(ls "$man_dir"/*.1 | wc -l)" -eq ${#commands[@]} ]

# help_in_page HELP_FILE PAGE_TEXT: each help line's words appear contiguously
help_in_page() {
    python3 - "$1" "$2" <<'PY'
import sys
help_lines = open(sys.argv[1]).read().splitlines()
page = open(sys.argv[2]).read().split()
missing = []
for i, line in enumerate(help_lines):
    words = line.split()
    if i == 0 and words[:1] == ["usage:"]:
        words = words[1:]
    if not words:
        continue
    n = len(words)
    if not any(page[j:j + n] == words for j in range(len(page) - n + 1)):
        missing.append(line)
for line in missing:
    print("  not in the page: " + line)
sys.exit(1 if missing else 0)
PY
}

tmp=$(mktemp -d /tmp/sdb-man-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for cmd in "${commands[@]}"; do
    page=sdboot${cmd:+-${cmd// /-}}
    file=$man_dir/$page.1
    check [ -f "$file" ] || continue
    "$SDBOOT" $cmd --help >"$tmp/help"
    LC_ALL=C MANWIDTH=1000 man --warnings -l "$file" 2>"$tmp/warn" | col -b >"$tmp/page"
    check [ ! -s "$tmp/warn" ] || cat "$tmp/warn"
    check grep -q "^NAME" "$tmp/page"
    check grep -q "^ *$page - " "$tmp/page"
    check grep -q "^SYNOPSIS" "$tmp/page"
    check help_in_page "$tmp/help" "$tmp/page"
done
# the pages follow the CLI: a version in every footer, the exit codes of cli.h
check grep -q "^\.TH SDBOOT-PACK \"1\" .*\"sdboot $("$SDBOOT" --version | sed -n '1s/^sdboot \([^ ]*\).*/\1/p')\"" "$man_dir/sdboot-pack.1"
check grep -q '2 on a usage error; 75 when a simulated power cut' "$man_dir/sdboot-sim-boot.1"

echo "man pages: $((checks - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
