#!/usr/bin/env bash
# Profiles the server during load runs of the harness (docs/performance.md, "Where each endpoint's CPU goes").
# Usage: bench/profile-runs.sh PARTS RUN [RUN...]
#   runs `./connect bench --only PARTS` (full windows) and, 28 s into each RUN's window (after its warm-up, near
#   the middle of its 30 s), records the server process for 10 s with perf; the data goes to /tmp/perf-RUN.data.
# Example: bench/profile-runs.sh refresh,introspect refresh introspect
#   then: perf report -i /tmp/perf-refresh.data --no-children --sort dso --stdio -g none
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
[ $# -ge 2 ] || { sed -n 2,8p "$0" >&2; exit 2; }
command -v perf >/dev/null || { echo "profile-runs: perf is not installed (apt-get install linux-perf)" >&2; exit 1; }
parts=$1; shift
log=$(mktemp)
# The JIT's symbol map for perf; the harness passes its environment on to the servers it starts.
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 ./connect bench --only "$parts" >"$log" 2>&1 &
bench=$!
trap 'kill $bench 2>/dev/null || true; rm -f "$log"' EXIT
for run in "$@"; do
  until grep -q "bench: $run: closed loop" "$log"; do
    kill -0 $bench 2>/dev/null || { echo "profile-runs: the bench ended before $run started; see its output:" >&2; cat "$log" >&2; exit 1; }
    sleep 1
  done
  sleep 28
  pid=$(pgrep -f "Connect.Api.dll|serve-handwritten" | head -1)
  echo "profile-runs: $run: perf on pid $pid for 10 s -> /tmp/perf-$run.data"
  perf record -F 999 -g -p "$pid" -o "/tmp/perf-$run.data" -- sleep 10 >/dev/null 2>&1
done
wait $bench
grep -A14 '^run ' "$log" | grep -v 'not measured' || true
