#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time; fails on the first crash.
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS_PER_TARGET
# Seeds come from tests/fuzz/corpus/<target>/ when present; new inputs found
# go to BUILD_DIR/fuzz-corpus/<target>/ (not committed).
set -euo pipefail
build=${1:?usage: scripts/fuzz.sh BUILD_DIR SECONDS}
seconds=${2:-30}
src=$(cd "$(dirname "$0")/.." && pwd)
shopt -s nullglob
targets=("$build"/tests/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no targets built in $build/tests/fuzz" >&2
  exit 1
fi
for t in "${targets[@]}"; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  work="$build/fuzz-corpus/$name"
  mkdir -p "$work"
  seeds=()
  [ -d "$src/tests/fuzz/corpus/$name" ] && seeds+=("$src/tests/fuzz/corpus/$name")
  echo "fuzz: $name for ${seconds}s"
  "$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$build/fuzz-$name-" "$work" "${seeds[@]}" 2>"$build/fuzz-$name.log" || {
    echo "fuzz: $name FAILED; see $build/fuzz-$name.log" >&2
    tail -40 "$build/fuzz-$name.log" >&2
    exit 1
  }
  grep -E 'stat::number_of_executed_units' "$build/fuzz-$name.log" || true
done
echo "fuzz: all targets ran clean"
