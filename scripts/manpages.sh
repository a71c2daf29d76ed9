#!/usr/bin/env bash
# Man pages generated from the CLI's own --help texts with help2man, so they
# cannot drift from it: sdboot(1), one page per command (sdboot-pack(1)...) and
# one per sim subcommand (sdboot-sim-boot(1)...). The command lists are read
# from `sdboot --help` and `sdboot sim --help`, so a new command gets its page.
# help2man only reformats: a small wrapper per page runs `sdboot CMD --help`,
# capitalises the leading "usage:" (help2man's SYNOPSIS marker) and joins the
# usage's continuation lines; every other line is passed through as it is.
# Usage: scripts/manpages.sh SDBOOT OUTDIR     (run by the build: target `man`)
set -euo pipefail
sdboot=$(realpath "${1:?usage: manpages.sh SDBOOT OUTDIR}")
out=${2:?usage: manpages.sh SDBOOT OUTDIR}
version=$("$sdboot" --version | sed -n '1s/^sdboot \([^ ]*\).*/\1/p')
[ -n "$version" ] || { echo "manpages: $sdboot --version names no version" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sdb-man-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# "name|summary" for the lines of the section titled $2 in `sdboot $1 --help`
section() {
    "$sdboot" $1 --help | awk -v title="$2:" '
        $0 == title { on = 1; next }
        on && !/^  [a-z]/ { exit }
        on { name = $1; sub(/^  [^ ]+ +/, ""); print name "|" $0 }'
}
{
    echo "sdboot|SD-card boot and over-the-air update tools"
    section "" commands | sed 's/^/sdboot /'
    section sim subcommands | sed 's/^/sdboot sim /'
} >"$tmp/pages"
[ "$(wc -l <"$tmp/pages")" -gt 2 ] || { echo "manpages: no commands found in --help" >&2; exit 1; }

see_also=$(cut -d'|' -f1 "$tmp/pages" | sed 's/ /-/g; s/$/(1)/' | paste -sd' ')
cat >"$tmp/include" <<INC
[EXIT STATUS]
0 on success; 1 on a failure, after one line "sdboot COMMAND: message" on
standard error; 2 on a usage error; 75 when a simulated power cut
(\\fB\\-\\-power\\-cut\\-after\\fR of the sim commands) stopped the command.
[SEE ALSO]
${see_also//(1) /(1), }
.PP
The README and docs/ of the sdboot sources: docs/cli-json.md, docs/boot.md,
docs/release-format.md, docs/ota.md.
INC

mkdir -p "$out"
rm -f "$out"/sdboot*.1
while IFS='|' read -r name summary; do
    cmd=${name#sdboot}
    page=${name// /-}
    cat >"$tmp/$page" <<WRAP
#!/bin/sh
"$sdboot" $cmd "\$@" | awk 'NR == 1 { sub(/^usage:/, "Usage:"); line = \$0; next }
    !done && /^ / { sub(/^ +/, " "); line = line \$0; next }
    !done { print line; done = 1 } { print }
    END { if (!done) print line }'
WRAP
    chmod +x "$tmp/$page"
    help2man --no-info --section=1 --version-string="$version" --name="$summary" \
        --source="sdboot $version" --manual="sdboot manual" --include="$tmp/include" \
        --output="$out/$page.1" "$tmp/$page"
done <"$tmp/pages"
echo "manpages: $(wc -l <"$tmp/pages") pages in $out"
