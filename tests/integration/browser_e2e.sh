#!/usr/bin/env bash
# The web UI's end-to-end tests (tests/e2e/tests/portal_e2e.test.js,
# document_sandbox.test.js and fhir_smart.test.js) in headless Chromium
# against the real demo network: PostgreSQL, the portal and two gateways started by
# deploy/demo, its demo users, and a gateway stalled with SIGSTOP for the partial banner.
set -euo pipefail
root=$1
build=$2
demo=$(mktemp -d /tmp/hareyaka-e2e-XXXXXX)
chmod 755 "$demo"
out=$demo/demo.out
HAREYAKA_DEMO_SKIP_BUILD=1 BUILD_DIR=$build HAREYAKA_DEMO_DIR=$demo HAREYAKA_DEMO_PORT=0 \
  setsid "$root/deploy/demo" >"$out" 2>&1 &
demo_pid=$!
cleanup() {
  [ -f "$demo/gateway-b.ports" ] && kill -CONT "$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['pid'])" "$demo/gateway-b.ports")" 2>/dev/null || true
  kill -TERM -- "-$demo_pid" 2>/dev/null || kill -TERM "$demo_pid" 2>/dev/null || true
  wait "$demo_pid" 2>/dev/null || true
  rm -rf "$demo"
}
trap cleanup EXIT
for _ in $(seq 1 1200); do
  grep -q "demo network is running" "$out" 2>/dev/null && break
  if ! kill -0 "$demo_pid" 2>/dev/null; then cat "$out"; exit 1; fi
  sleep 0.1
done
grep -q "demo network is running" "$out" || { cat "$out"; exit 1; }
web=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['listeners']['web'])" "$demo/portal.ports")
gw_b=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['pid'])" "$demo/gateway-b.ports")
# Wait until both gateways have published (the demo seeds consents right away).
for _ in $(seq 1 600); do
  n=$(psql "host=$demo/pg dbname=hareyaka user=hareyaka" -tAc \
    "SELECT count(*) FROM (SELECT person_id FROM pix_identities GROUP BY 1 HAVING count(*) > 1) x" 2>/dev/null || echo 0)
  [ "${n:-0}" -gt 0 ] && break
  sleep 0.2
done
# Six months of generated views for the statistics page (imaging for six patients only).
"$build/tests/bench/hareyaka-stats-gen" --db "host=$demo/pg dbname=hareyaka user=hareyaka" \
  --months 6 --per-day 60 --patients 300
export HAREYAKA_URL="https://127.0.0.1:$web"
# The FHIR test's client library uses Node's fetch: trust the demo network's CA.
export NODE_EXTRA_CA_CERTS="$demo/pki/ca.pem"
export HAREYAKA_DOCTOR=dr-sato HAREYAKA_DOCTOR_PASSWORD=Hareyaka-Demo-2026 \
  HAREYAKA_DOCTOR_TOTP_SECRET=JBSWY3DPEHPK3PXPDRSATO2A
export HAREYAKA_PHARMACIST=ph-suzuki HAREYAKA_PHARMACIST_PASSWORD=Hareyaka-Demo-2026 \
  HAREYAKA_PHARMACIST_TOTP_SECRET=JBSWY3DPEHPK3PXPPHSUZUKI
export HAREYAKA_ADMIN=admin HAREYAKA_ADMIN_PASSWORD=Hareyaka-Demo-2026 \
  HAREYAKA_ADMIN_TOTP_SECRET=JBSWY3DPEHPK3PXPADMIN234
export HAREYAKA_OFFICER=pref-officer HAREYAKA_OFFICER_PASSWORD=Hareyaka-Demo-2026 \
  HAREYAKA_OFFICER_TOTP_SECRET=JBSWY3DPEHPK3PXPPREFOFFI
export HAREYAKA_DATAMANAGER=dm-sakura HAREYAKA_DATAMANAGER_PASSWORD=Hareyaka-Demo-2026 \
  HAREYAKA_DATAMANAGER_TOTP_SECRET=JBSWY3DPEHPK3PXPDMSAKURA
export HAREYAKA_STOP_GATEWAY_CMD="kill -STOP $gw_b"
export HAREYAKA_START_GATEWAY_CMD="kill -CONT $gw_b"
# Where document_sandbox.test.js puts its XHTML probe (each hospital's extended storage).
export HAREYAKA_EXTENDED_ROOTS="1.2.392.200284.33.1310001=$demo/gateway-a/extended;1.2.392.200284.33.1310002=$demo/gateway-b/extended"
export HAREYAKA_ARTIFACTS=${HAREYAKA_ARTIFACTS:-$build/e2e-artifacts}
"$root/tests/e2e/run.sh" tests/portal_e2e.test.js tests/document_sandbox.test.js \
  tests/fhir_smart.test.js
