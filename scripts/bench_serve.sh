#!/usr/bin/env bash
# make bench: how long `sdboot serve` takes to answer a normal request while
# COUNT idle half-sent requests hold connections open (issue: a normal request
# answered within 2 s under 2,000 of them). A curve, not one point: COUNT =
# 0, 500, 1000, 2000, 4000; for each, the median and the worst of 5 requests
# (curl's time_total for a 100 KB file on loopback). Prints a markdown section.
# tests/ota/serve.sh checks that the request is answered at all and that the
# connection limit and the idle timeout hold; the time is measured here, where
# a loaded machine cannot turn it into a red test.
#
# usage: scripts/bench_serve.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: scripts/bench_serve.sh BUILD_DIR}
sdboot=$(cd "$build" && pwd)/sdboot
src=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/sdb-bench-serve-XXXXXX)
srv="" flood_pid=""
cleanup() {
  [ -z "$flood_pid" ] || kill "$flood_pid" 2>/dev/null || true
  [ -z "$srv" ] || kill "$srv" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
mkdir site
head -c 100000 /dev/urandom > site/rel.tar
"$sdboot" serve site --quiet --max-connections 5000 > serve.out 2>&1 &
srv=$!
for _ in $(seq 50); do grep -q serving serve.out && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' serve.out)
port=${url##*:}; port=${port%/}

flood() { # COUNT: hold COUNT half-sent requests until killed
  python3 "$src/scripts/serve_flood.py" "$port" "$1" 600 > /dev/null &
  flood_pid=$!
}

rows=""
for count in 0 500 1000 2000 4000; do
  rm -f flood.ready
  flood "$count"
  for _ in $(seq 600); do [ -e flood.ready ] && break; sleep 0.05; done
  times=()
  for _ in 1 2 3 4 5; do
    times+=("$(curl -s --max-time 30 -o /dev/null -w '%{http_code} %{time_total}' "${url}rel.tar")")
  done
  kill "$flood_pid" 2>/dev/null || true; wait "$flood_pid" 2>/dev/null || true; flood_pid=""
  answered=$(printf '%s\n' "${times[@]}" | awk '$1 == 200' | wc -l)
  read -r median worst < <(printf '%s\n' "${times[@]}" | awk '{print $2 * 1000}' | sort -n |
    awk '{v[NR] = $1} END {printf "%.1f %.1f\n", v[3], v[5]}')
  ok=$(awk -v w="$worst" -v a="$answered" 'BEGIN {print (a == 5 && w < 2000) ? "yes" : "**no**"}')
  rows+="| $count | $answered of 5 | $median | $worst | $ok |
"
done

cat <<MD

## sdboot serve under idle connections

\`scripts/bench_serve.sh build\` (run by \`make bench\`): \`sdboot serve\` (\`--max-connections
5000\`, the default idle timeout) holds COUNT connections that sent half a request and
never finish it (one Python process on loopback), while \`curl\` fetches a 100 KB file 5
times; curl's \`time_total\` in ms. Goal: answered within 2 s under 2,000. The test
(tests/ota/serve.sh) asserts the answer and the limits, not the time.

| idle connections | answered | median ms | worst ms | worst < 2 s |
|---|---|---|---|---|
$rows
MD
