#!/usr/bin/env bash
# Runs libFuzzer targets for a bounded time each; fails on the first crash.
# Usage: scripts/fuzz.sh [--fresh] BUILD_DIR SECONDS_PER_TARGET [TARGET...]   (all when none)
#        scripts/fuzz.sh --build BUILD_DIR   (configure + build the clang fuzz tree)
# Seeds come from tests/fuzz/corpus/<target>/ (committed; every file is replayed
# first); new inputs found go to BUILD_DIR/fuzz-corpus/<target>/ (not committed),
# kept from run to run unless --fresh (make test: the same bounded run each time).
# A crash leaves its input as BUILD_DIR/fuzz-<target>-crash-*: fix the bug and
# commit that input into the target's corpus so it stays a regression test.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --build ]; then
  build=${2:?usage: scripts/fuzz.sh --build BUILD_DIR}
  CC=${CC:-clang} cmake -S "$src" -B "$build" -DSDB_FUZZ=ON -DSDB_HOST=OFF \
    -DCMAKE_BUILD_TYPE=Debug >/dev/null
  exec cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)"
fi
fresh=false
if [ "${1:-}" = --fresh ]; then fresh=true; shift; fi
build=${1:?usage: scripts/fuzz.sh [--fresh] BUILD_DIR SECONDS [TARGET...]}
seconds=${2:-30}
shift 2 || shift $#
shopt -s nullglob
if [ $# -gt 0 ]; then
  targets=()
  for name in "$@"; do targets+=("$build/tests/fuzz/$name"); done
else
  targets=("$build"/tests/fuzz/fuzz_*)
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no targets built in $build/tests/fuzz" >&2
  exit 1
fi
for t in "${targets[@]}"; do
  name=$(basename "$t")
  [ -x "$t" ] || { echo "fuzz: $name is not built in $build/tests/fuzz" >&2; exit 1; }
  seeds="$src/tests/fuzz/corpus/$name"
  [ -n "$(ls -A "$seeds" 2>/dev/null)" ] || { echo "fuzz: $name has no seed corpus in $seeds" >&2; exit 1; }
  work="$build/fuzz-corpus/$name"
  if $fresh; then rm -rf "$work"; fi
  mkdir -p "$work"
  echo "fuzz: $name for ${seconds}s over $(ls "$seeds" | wc -l) seeds"
  "$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$build/fuzz-$name-" "$work" "$seeds" 2>"$build/fuzz-$name.log" || {
    echo "fuzz: $name FAILED; see $build/fuzz-$name.log" >&2
    tail -40 "$build/fuzz-$name.log" >&2
    exit 1
  }
  grep -E 'stat::number_of_executed_units|INITED|DONE' "$build/fuzz-$name.log" || true
done
echo "fuzz: all targets ran clean"
