#!/usr/bin/env bash
# Runs the README's demo in smoke mode (start everything, check readiness over TLS, stop)
# and checks that nothing is left behind: no daemon, no PostgreSQL, no socket.
set -euo pipefail
root=$1
build=$2
shift 2  # the rest: arguments of deploy/demo (e.g. --networks 2)
demo=$(mktemp -d /tmp/hareyaka-demo-XXXXXX)
chmod 755 "$demo" # the private PostgreSQL runs as postgres when we are root
trap 'rm -rf "$demo"' EXIT
HAREYAKA_DEMO_SKIP_BUILD=1 BUILD_DIR=$build HAREYAKA_DEMO_DIR=$demo "$root/deploy/demo" --smoke "$@"
left=$(pgrep -f -- "--config $demo/" || true)
if [ -n "$left" ]; then
  echo "FAIL: daemons still running after the demo stopped: $left" >&2
  exit 1
fi
if pgrep -f -- "-D $demo/pg/data" >/dev/null; then
  echo "FAIL: the demo's PostgreSQL is still running" >&2
  exit 1
fi
sockets=$(find "$demo" -type s)
if [ -n "$sockets" ]; then
  echo "FAIL: sockets left behind: $sockets" >&2
  exit 1
fi
echo "demo smoke: started, ready, stopped cleanly"
