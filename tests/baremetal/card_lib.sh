# Helpers for the tests of the bare-metal port's cards, on QEMU (qemu_lib.sh)
# and on the host (devsim_powercut.sh); sourced, not run. SDBOOT: the host
# CLI. Gives $work (a scratch directory under $SDB_CARD_TMP, default /tmp,
# removed on exit), fail, expect, fsck_clean and stage.
set -euo pipefail
work=$(mktemp -d "${SDB_CARD_TMP:-/tmp}/sdb-bm-XXXXXX")
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect FILE TEXT : the console shows TEXT (a fixed string).
expect() {
  grep -qF -- "$2" "$1" || { echo "--- console:"; cat "$1"; fail "console lacks: $2"; }
}

# fsck_clean IMAGE : fsck.fat -n exits 0 and prints nothing but its two lines.
fsck_clean() {
  local out rc=0
  out=$(fsck.fat -n "$1" 2>&1) || rc=$?
  [ "$rc" -eq 0 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ] ||
    { printf '%s\n' "$out" >&2; fail "fsck.fat -n finds damage on $1"; }
}

# stage CARD DIR : the host, as the application would, stages DIR's latest release.
stage() {
  "$SDBOOT" sim stage --card "$1" --release "$2" --allow-unsigned --board lm3s6965evb \
    > "$work/stage.out" 2>&1 || { cat "$work/stage.out"; fail "sim stage of $2"; }
}

