#!/usr/bin/env bash
# Issue 16, item 6, shown under load: does an overloaded instance reconnect its whole pool?
#
# One service instance gets a pool far smaller than the load (4 connections, 1 s wait) and 64 requests in flight
# (POST /redeem of an inquiry that does not exist: one database read each, no authentication, nothing kept between
# requests; an unknown application's JWKS would not do, since the service remembers for a second that an anchor is
# unknown and shares one read among concurrent callers). Three times a 3 s lock on
# the applications table stalls every statement, so requests time out waiting for a pooled connection (503). The
# script counts the database sessions the service opened meanwhile: a pool that is cleared on every pool-wait
# timeout reconnects again and again; one cleared only after real connection failures keeps its four.
#
# usage: with `./connect up` running in this checkout (the embedded database),
#   bench/pool-clearing.sh [path/to/Connect.Api.dll]
# The figures and the "before" build are in docs/security.md ("Pool clearing").
set -euo pipefail
cd "$(dirname "$0")/.."
dll=${1:-src/Connect.Api/bin/Release/net10.0/Connect.Api.dll}
data=.data
port=5191
lock_sessions=3
encode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read().strip(), safe=""))' "$1"; }
cs="Host=127.0.0.1;Port=5433;Database=connect;Username=connect_service;Password=$(cat "$data/postgres.service-password")"
admin="postgresql://postgres:$(encode "$data/postgres.password")@127.0.0.1:5433/connect"
sessions() { psql "$admin" -Atc "SELECT sessions FROM pg_stat_database WHERE datname = 'connect'"; }

# /redeem has a budget per client address (docs/operations.md, Connect:RateLimit:Address*); all of this load
# comes from one address, so the budget is raised out of reach: the pool, not the budget, must be what answers.
ConnectionStrings__Connect="$cs;Maximum Pool Size=4;Timeout=1" Connect__SigningKeys__KeyEncryptionKey="$(cat "$data/signing-keys.kek")" \
  Connect__RateLimit__AddressBurstLimit=10000000 Connect__RateLimit__AddressTokensPerSecond=10000000 \
  Urls=http://127.0.0.1:$port Logging__LogLevel__Default=Warning dotnet "$dll" >/tmp/pool-clearing-service.log 2>&1 &
service=$!
trap 'kill $service 2>/dev/null; wait $service 2>/dev/null' EXIT
until curl -fs -o /dev/null http://127.0.0.1:$port/health; do sleep 0.5; done

url="http://127.0.0.1:$port/redeem"
body='{\"exposureKey\":\"no-such-inquiry\",\"hiddenKey\":\"x\",\"confirmationKey\":\"y\"}'
urls=$(mktemp) codes=$(mktemp)
# Each request its own block, "next" between them: a header or body given once would pile up on every later
# request, and a "next" after the last block is an empty one that fails the whole batch.
for i in $(seq 1500); do
  ((i == 1)) || echo next
  printf 'url = %s\ndata = "%s"\nheader = "Content-Type: application/json"\noutput = /dev/null\nwrite-out = "%%{http_code}\\n"\n' \
    "$url" "$body"
done >"$urls"
before=$(sessions)
end=$((SECONDS + 16))
( while ((SECONDS < end)); do
    curl --no-progress-meter --parallel --parallel-max 64 -K "$urls" >>"$codes" 2>/dev/null || true
  done ) &
load=$!
for _ in $(seq $lock_sessions); do
  sleep 2
  psql "$admin" -qc "BEGIN; LOCK TABLE applications IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(3); COMMIT;" >/dev/null
done
wait $load
sleep 1.5 # session counts reach pg_stat_database within a second
after=$(sessions)
# The difference also holds the lock sessions and one of the two reads of the count. The service's pool already
# had one connection (from its readiness check) before the load, so a pool that is never cleared opens 3 here.
echo "connections the service opened under load: $((after - before - lock_sessions - 1)) (pool size 4, one open before)"
echo "answers by status:"
sort "$codes" | uniq -c
rm -f "$urls" "$codes"
