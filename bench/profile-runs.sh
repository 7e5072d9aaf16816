#!/usr/bin/env bash
# Profiles the server during load runs of the harness (docs/performance.md, "Where each endpoint's CPU goes").
# Usage: bench/profile-runs.sh PARTS RUN [RUN...]
#   runs `./connect bench --only PARTS` (full windows) and, in each RUN's first window, 24 s after it starts (past
#   its 20 s warm-up, inside its 20 s of measurement), records that run's server for 10 s with perf: the
#   hand-written twin for the handwritten_* runs (both servers are up during the paired rounds), the service
#   otherwise; the data goes to /tmp/perf-RUN.data.
#   PERF_RECORD (default "-F 999 -g") chooses what perf records, e.g. PERF_RECORD="-e page-faults -g" for where
#   the server touches fresh memory, or "-e sched:sched_waking -g" for who wakes its threads.
# Example: bench/profile-runs.sh refresh,introspect refresh introspect
#   then: perf report -i /tmp/perf-refresh.data --pid $(cat /tmp/perf-refresh.pid) --no-children --sort dso --stdio -g none
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
[ $# -ge 2 ] || { sed -n 2,11p "$0" >&2; exit 2; }
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
  sleep 24
  case $run in
    handwritten*) pid=$(pgrep -f "Connect.Benchmarks.dll serve-handwritten" | head -1) ;;
    *) pid=$(pgrep -f "Connect.Api.dll" | head -1) ;;
  esac
  echo "profile-runs: $run: perf on pid $pid for 10 s -> /tmp/perf-$run.data"
  # The whole machine, so that no thread the server starts while recorded is missed; the report picks the server.
  # shellcheck disable=SC2086 # PERF_RECORD is a list of perf's own options
  perf record ${PERF_RECORD:--F 999 -g} -a -o "/tmp/perf-$run.data" -- sleep 10 >/dev/null 2>&1
  echo "$pid" >"/tmp/perf-$run.pid"
done
wait $bench
grep -A14 '^run ' "$log" | grep -v 'not measured' || true
