# Shared by the shell tests of the CLI and the install: source it with a name,
#   source "$SDB_SRC/tests/support/checks.sh" NAME
# to get a scratch directory $work (the current directory, removed on exit),
# `check CMD...` (counts, and prints FAIL with the command when it fails),
# `ok` / `bad WHAT` (count a check done by hand), `run CMD...` (output in
# out.txt, exit code in $rc), an array `pids` of servers killed on exit,
# `help_section "CMD" TITLE` (the first words of the lines under "TITLE:" in
# `sdboot CMD --help`: the commands, the sim subcommands) and `checks_done`,
# which prints "NAME: N passed, M failed" and returns non-zero on a failure.
checks_name=$1
work=$(mktemp -d "/tmp/sdb-$checks_name-XXXXXX")
pids=() # servers the test starts: killed on exit
checks_cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap checks_cleanup EXIT
cd "$work" || exit 1
fails=0
checks=0

ok() { checks=$((checks + 1)); }
bad() {
    echo "FAIL: $*"
    checks=$((checks + 1))
    fails=$((fails + 1))
}

check() {
    checks=$((checks + 1))
    "$@" || { echo "FAIL: $*"; fails=$((fails + 1)); }
}

# run CMD...: its output in out.txt, its exit code in $rc (never stops the script).
run() {
    set +e
    "$@" >out.txt 2>&1
    rc=$?
    set -e
}

help_section() {
    "$SDBOOT" $1 --help | awk -v title="$2:" '$0 == title { on = 1; next }
        on && !/^  [a-z]/ { exit } on { print $1 }'
}

checks_done() {
    echo "$checks_name: $((checks - fails)) passed, $fails failed"
    [ "$fails" -eq 0 ]
}
