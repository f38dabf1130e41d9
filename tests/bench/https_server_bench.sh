#!/usr/bin/env bash
# HTTPS server core against nginx: the same small JSON body over TLS 1.3 with keep-alive,
# driven by wrk on the same machine. Prints requests/s for both and the ratio.
#
#   tests/bench/https_server_bench.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS] [THREADS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
duration=${2:-10}
conns=${3:-64}
threads=${4:-1}
work=$(mktemp -d /tmp/hareyaka-bench-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "wrk is not installed (deploy/install-deps)"; exit 1; }
"$root/deploy/dev-pki" "$work/pki" server >/dev/null
body='{"status":"ok"}'

# Hareyaka: the real server core with its /healthz route (the same 15-byte JSON body).
"$build/tests/bench/https_bench_server" "$work/pki/server.pem" "$work/pki/server.key" \
  "$work/hareyaka.port" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/hareyaka.port" ] && break; sleep 0.05; done
hport=$(cat "$work/hareyaka.port")

# nginx: same certificate, same body, same protocol, one worker per core.
nport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server {
    listen 127.0.0.1:$nport ssl;
    ssl_certificate $work/pki/server.pem;
    ssl_certificate_key $work/pki/server.key;
    ssl_protocols TLSv1.3;
    keepalive_requests 1000000;
    location = /healthz { default_type application/json; return 200 '$body'; }
  }
}
CONF
nginx -c "$work/nginx.conf" -p "$work" -g 'daemon off;' &
pids+=($!)
sleep 0.5

run() { # url
  wrk -t"$threads" -c"$conns" -d"${duration}s" --latency "$1" 2>/dev/null
}
rps() { awk '/Requests\/sec/ {print $2}'; }
p99() { awk '$1=="99%" {print $2}'; }

echo "warm-up..."
wrk -t1 -c8 -d2s "https://127.0.0.1:$hport/healthz" >/dev/null 2>&1 || true
wrk -t1 -c8 -d2s "https://127.0.0.1:$nport/healthz" >/dev/null 2>&1 || true
h=$(run "https://127.0.0.1:$hport/healthz")
n=$(run "https://127.0.0.1:$nport/healthz")
hr=$(echo "$h" | rps); nr=$(echo "$n" | rps)
echo "cores=$(nproc) wrk: threads=$threads connections=$conns duration=${duration}s, TLS 1.3, keep-alive"
printf "%-10s %12s req/s   p99 %s\n" hareyaka "$hr" "$(echo "$h" | p99)"
printf "%-10s %12s req/s   p99 %s\n" nginx "$nr" "$(echo "$n" | p99)"
python3 -c "import sys; print('ratio hareyaka/nginx: %.2f' % (float(sys.argv[1])/float(sys.argv[2])))" "$hr" "$nr"
