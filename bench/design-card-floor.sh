#!/usr/bin/env bash
# Measures what the design card alone costs (docs/performance.md, "The design card's own floor").
# Usage: bench/design-card-floor.sh [--dry-run] PARTS
#   copies this checkout's HEAD to a temporary worktree, takes out of the service's pipeline what neither the design
#   card nor the contract's order of checks asks for (the endpoint observer with its access log and metrics, the
#   exception handler, the request timeouts, and the rate limiter, which on these parts' endpoints spends nothing), and
#   runs `./connect bench --only PARTS` there. Routing, the body gate, the client-JWT step, MVC, MediatR, the
#   validators and the Dapper adapters stay; the hand-written twin is the same as in any run. PARTS are among
#   pipeline, handwritten, introspect, handwritten_introspect, refresh, handwritten_refresh: /redeem's address budget
#   is the rate limiter's, and the copy would skip it. Never a way to serve: the copy is removed when the run ends.
#   --dry-run prints the copy's change to the service and stops there.
# Example: bench/design-card-floor.sh introspect,handwritten_introspect,pipeline,handwritten
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
dry_run=false
if [ "${1:-}" = --dry-run ]; then dry_run=true; shift; fi
[ $# -eq 1 ] || { sed -n 2,12p "$0" >&2; exit 2; }
for part in ${1//,/ }; do
  case $part in
    pipeline | handwritten | introspect | handwritten_introspect | refresh | handwritten_refresh) ;;
    *) echo "design-card-floor: $part: not a part whose endpoint keeps all its contract's checks in the copy" >&2; exit 2 ;;
  esac
done
root=$PWD
copy=$(mktemp -d /tmp/connect-floor-XXXXXX)
# The copy goes whatever happened; the script answers with the status it was leaving with.
remove_copy() {
  local status=$?
  set +e
  git -C "$root" worktree remove --force "$copy" >/dev/null 2>&1 || rm -rf "$copy"
  git -C "$root" worktree prune
  exit "$status"
}
trap remove_copy EXIT
git worktree add --detach --quiet "$copy" HEAD
app="$copy/src/Connect.Api/ConnectWebApplication.cs"
# From the observer to the line before routing (the observer and the exception handler), and the two lines after it.
awk '
  /app\.UseConnectObservability\(\);/ { skipping = 1 }
  /app\.UseRouting\(\);/ { skipping = 0 }
  /app\.UseRequestTimeouts\(\);|app\.UseRateLimiter\(\);/ { next }
  !skipping { print }
' "$app" >"$app.floor"
mv "$app.floor" "$app"
# A pipeline that changed shape must not be measured as the floor.
if grep -qE 'UseConnectObservability|UseExceptionHandler|UseRequestTimeouts|UseRateLimiter' "$app" \
  || ! grep -q 'app.UseRouting();' "$app" || ! grep -q 'UseMiddleware<RawJsonBodyGate>' "$app"; then
  echo "design-card-floor: src/Connect.Api/ConnectWebApplication.cs no longer has the pipeline this script edits" >&2
  exit 1
fi
if $dry_run; then
  git -C "$copy" diff
  exit 0
fi
echo "design-card-floor: the service's pipeline in $copy:" >&2
git -C "$copy" diff --stat >&2
(cd "$copy" && ./connect bench --only "$1")
