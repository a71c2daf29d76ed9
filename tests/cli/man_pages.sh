#!/usr/bin/env bash
# The man pages the build generated (scripts/manpages.sh, help2man): one for
# sdboot and for every command and sim subcommand that `--help` lists, each
# renders without a warning, and every line of that command's --help text is
# in its page, word for word and in order (help2man may only re-flow lines).
set -uo pipefail
: "${SDBOOT:?}" "${SDB_BUILD:?}" "${SDB_SRC:?}"
source "$SDB_SRC/tests/support/checks.sh" man-pages
man_dir=$SDB_BUILD/man

commands=("" $(help_section "" commands))
for sub in $(help_section sim subcommands); do commands+=("sim $sub"); done
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

for cmd in "${commands[@]}"; do
    page=sdboot${cmd:+-${cmd// /-}}
    file=$man_dir/$page.1
    check [ -f "$file" ] || continue
    "$SDBOOT" $cmd --help >"$work/help"
    LC_ALL=C MANWIDTH=1000 man --warnings -l "$file" 2>"$work/warn" | col -b >"$work/page"
    check [ ! -s "$work/warn" ] || cat "$work/warn"
    check grep -q "^NAME" "$work/page"
    check grep -q "^ *$page - " "$work/page"
    check grep -q "^SYNOPSIS" "$work/page"
    check help_in_page "$work/help" "$work/page"
done
# the pages follow the CLI: a version in every footer, the exit codes of cli.h
check grep -q "^\.TH SDBOOT-PACK \"1\" .*\"sdboot $("$SDBOOT" --version | sed -n '1s/^sdboot \([^ ]*\).*/\1/p')\"" "$man_dir/sdboot-pack.1"
check grep -q '2 on a usage error; 75 when a simulated power cut' "$man_dir/sdboot-sim-boot.1"

checks_done
