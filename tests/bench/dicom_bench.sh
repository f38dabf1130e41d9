#!/usr/bin/env bash
# DICOM benchmarks, side by side with reference implementations on the same files:
#  1. C-STORE ingest: dcmtk's storescu sends N instances to (a) dcmtk's storescp and
#     (b) the gateway's storage SCP (which also validates, renames into place and indexes).
#  2. Rendered JPEG: Orthanc's GET /instances/{id}/preview (Accept: image/jpeg, one curl
#     process with keep-alive) versus the gateway's render() called in-process, and versus
#  3. the gateway daemon's WADO-URI over HTTPS (mutual TLS, access assertion checked and
#     audited per request, one curl process with keep-alive) on the same instances.
# Usage: tests/bench/dicom_bench.sh [build-dir] [N] [render-rounds]   (INGEST_ROUNDS=5 by default)
set -euo pipefail
# DCMTK turns Nagle's algorithm off only with TCP_NODELAY=1 in the environment (the gateway's
# SCP sets it for itself); without it storescu waits ~40 ms per instance for delayed ACKs on
# either receiver and the comparison measures the kernel. Every DCMTK process here gets it.
export TCP_NODELAY=1
BUILD=${1:-build}
N=${2:-500}
ROUNDS=${3:-3}
INGEST_ROUNDS=${INGEST_ROUNDS:-5}
TOOL=$BUILD/tests/dicom/dicom_bench_tool
DATA=/usr/lib/python3/dist-packages/pydicom/data/test_files
[ -x "$TOOL" ] || { echo "build dicom_bench_tool first (ninja -C $BUILD dicom_bench_tool)"; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
elapsed() { echo "$(now) - $1" | bc -l; }

# N distinct instances: CT_small and MR_small alternately, each with a fresh SOP Instance UID.
mkdir -p "$WORK/files"
for i in $(seq 1 "$N"); do
  if (( i % 2 )); then cp "$DATA/CT_small.dcm" "$WORK/files/$i.dcm"; else cp "$DATA/MR_small.dcm" "$WORK/files/$i.dcm"; fi
done
# One patient for all (the HTTP part asks with one access assertion).
dcmodify -nb -q -gin -i "(0010,0020)=BENCH1" "$WORK"/files/*.dcm
BYTES=$(du -sb "$WORK/files" | cut -f1)
echo "files: $N instances, $BYTES bytes (CT_small/MR_small, uncompressed)"

wait_echo() { for _ in $(seq 1 200); do echoscu -aec "$2" 127.0.0.1 "$1" >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }

one_ingest() {  # $1 port, $2 AE: seconds for storescu to send the whole folder
  local t0; t0=$(now)
  storescu -aec "$2" 127.0.0.1 "$1" +sd "$WORK/files" >/dev/null 2>&1
  elapsed "$t0"
}
best() { printf '%s\n' "$@" | sort -g | head -1; }

# Each round sends the N instances to a fresh, empty folder on both sides (the workload of a
# PACS forwarding new studies; re-sending into a filled folder would compare storescp's
# overwrite-in-place with our write-then-rename instead). Rounds alternate between the two
# receivers because the machine is shared; the best round of each is kept.
start_storescp() {  # $1 round
  SP=$(free_port); mkdir -p "$WORK/storescp.$1"
  storescp -aet STORESCP -od "$WORK/storescp.$1" "$SP" >/dev/null 2>&1 & SPID=$!; PIDS+=($SPID)
  wait_echo "$SP" STORESCP
}
start_gateway() {  # $1 round
  GP=$(free_port)
  "$TOOL" scp "$WORK/gateway.$1" "$GP" HAREYAKA > "$WORK/scp.$1.log" 2>&1 & GPID=$!; PIDS+=($GPID)
  wait_echo "$GP" HAREYAKA
}
A=(); B=()
ingest_storescp() { start_storescp "$1"; A+=("$(one_ingest "$SP" STORESCP)"); kill "$SPID"; }
ingest_gateway() { start_gateway "$1"; B+=("$(one_ingest "$GP" HAREYAKA)"); kill -INT "$GPID"; wait "$GPID" 2>/dev/null || true; }
# Who goes first alternates too: on ext4 the second writer of a round pays more for inode
# allocation (the first one's files and the previous round's deletions share block groups).
for run in $(seq 1 "$INGEST_ROUNDS"); do
  if (( run % 2 )); then ingest_storescp "$run"; ingest_gateway "$run"; else ingest_gateway "$run"; ingest_storescp "$run"; fi
done
TA=$(best "${A[@]}"); TB=$(best "${B[@]}")
printf 'dcmtk storescp:        best of %d: %.3f s, %.1f instances/s\n' "$INGEST_ROUNDS" "$TA" "$(echo "$N / $TA" | bc -l)"
printf 'gateway SCP (+index):  best of %d: %.3f s, %.1f instances/s\n' "$INGEST_ROUNDS" "$TB" "$(echo "$N / $TB" | bc -l)"
INDEXED=$("$TOOL" count "$WORK/gateway.1" 2>/dev/null | tail -1)
echo "gateway index holds $INDEXED instances after a round (restart: loaded from its journal)"
printf 'ingest ratio gateway/storescp: %.2f\n' "$(echo "$TA / $TB" | bc -l)"
mv "$WORK/gateway.1" "$WORK/gateway"

# 2. rendering. Orthanc on loopback with its own storage, loaded with the same files.
DP=$(free_port); HP=$(free_port)
cat > "$WORK/orthanc.json" <<JSON
{ "Name": "bench", "StorageDirectory": "$WORK/orthanc-storage", "IndexDirectory": "$WORK/orthanc-index",
  "DicomAet": "ORTHANC", "DicomPort": $DP, "HttpPort": $HP, "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false, "DicomAlwaysAllowStore": true, "Plugins": [] }
JSON
/usr/sbin/Orthanc "$WORK/orthanc.json" > "$WORK/orthanc.log" 2>&1 & PIDS+=($!)
wait_echo "$DP" ORTHANC
storescu -aec ORTHANC 127.0.0.1 "$DP" +sd "$WORK/files" >/dev/null 2>&1
IDS=$(curl -s "http://127.0.0.1:$HP/instances" | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin)))')
# One curl process for all requests (keep-alive), so process start-up is not measured.
: > "$WORK/curl.cfg"
TOTAL=0
for r in $(seq 1 "$ROUNDS"); do for id in $IDS; do
  printf 'url = "http://127.0.0.1:%s/instances/%s/preview"\noutput = "/dev/null"\n' "$HP" "$id" >> "$WORK/curl.cfg"
  TOTAL=$((TOTAL + 1))
done; done
orthanc_round() { local t0; t0=$(now); curl -s -f -H 'Accept: image/jpeg' -K "$WORK/curl.cfg"; elapsed "$t0"; }
ours_round() { "$TOOL" render "$WORK/gateway" "$ROUNDS" 2>/dev/null | tail -1 | sed -E 's/.* in ([0-9.]+) s.*/\1/'; }
orthanc_round >/dev/null  # warm-up (Orthanc reads each file once into its cache)
A=(); B=()
for run in 1 2 3; do A+=("$(orthanc_round)"); B+=("$(ours_round)"); done
TA=$(best "${A[@]}"); TB=$(best "${B[@]}")
printf 'Orthanc /instances/{id}/preview (HTTP, JPEG): %d renders, best of 3: %.3f s, %.1f images/s\n' "$TOTAL" "$TA" "$(echo "$TOTAL / $TA" | bc -l)"
printf 'gateway render() in-process (JPEG):           %d renders, best of 3: %.3f s, %.1f images/s\n' "$TOTAL" "$TB" "$(echo "$TOTAL / $TB" | bc -l)"
printf 'render ratio gateway/Orthanc: %.2f\n' "$(echo "$TA / $TB" | bc -l)"

# 3. The gateway daemon over HTTPS: WADO-URI JPEG, same instances, same default window.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
GW=$BUILD/gateway/hareyaka-gateway
[ -x "$GW" ] || { echo "build hareyaka-gateway for the HTTP part"; exit 1; }
OID=1.2.392.200284.33.1310001
# The gateway's state folder holds its local audit, synced (fdatasync) before every answer.
# BENCH_STATE_DIR=/dev/shm/... shows what the HTTP path costs without that disk sync.
STATE=${BENCH_STATE_DIR:-$WORK/gw-state}
"$ROOT/deploy/dev-pki" "$WORK/pki" gateway-a portal >/dev/null
mkdir -p "$WORK/ssmix2"
cat > "$WORK/gateway.json" <<JSON
{"log": {"level": "warn", "file": "$WORK/gw.log"}, "facility_oid": "$OID",
 "assertion_public_key": "$WORK/pki/assertion.pub",
 "listener": {"address": "127.0.0.1", "port": 0, "cert_file": "$WORK/pki/gateway-a.pem",
              "key_file": "$WORK/pki/gateway-a.key", "client_auth": "require",
              "client_ca_file": "$WORK/pki/ca.pem"},
 "storage": {"ssmix2_root": "$WORK/ssmix2", "state_dir": "$STATE"},
 "dicom": {"storage_dir": "$WORK/gateway", "port": 0}}
JSON
"$GW" --config "$WORK/gateway.json" --ports-file "$WORK/gw.ports" 2> "$WORK/gw.err" & PIDS+=($!)
for _ in $(seq 1 300); do [ -f "$WORK/gw.ports" ] && break; sleep 0.1; done
GWP=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["listeners"]["nodes"])' "$WORK/gw.ports")
TLS=(--cacert "$WORK/pki/ca.pem" --cert "$WORK/pki/portal.pem" --key "$WORK/pki/portal.key")
for _ in $(seq 1 300); do curl -fsS "${TLS[@]}" "https://127.0.0.1:$GWP/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
UIDS=$("$TOOL" uids "$WORK/gateway" 2>/dev/null)
GTOTAL=$(( $(wc -l <<< "$UIDS") * ROUNDS ))
# A gateway accepts each assertion once, from the certificate it names, for a few minutes:
# every round gets fresh ones, one per request, made before the clock starts. "next" starts
# a new operation for each URL, which resets the per-operation options: they are repeated.
make_round() {
  local tokens i=0
  mapfile -t tokens < <("$TOOL" assert "$WORK/pki/assertion.key" "$OID" BENCH1 "$WORK/pki/portal.pem" "$GTOTAL")
  : > "$WORK/gw.cfg"
  for r in $(seq 1 "$ROUNDS"); do while read -r st se so; do
    [ "$i" -gt 0 ] && echo next >> "$WORK/gw.cfg"  # not after the last: an empty operation
    printf 'cacert = "%s"\ncert = "%s"\nkey = "%s"\nfail\nheader = "X-Hareyaka-Assertion: %s"\nurl = "https://127.0.0.1:%s/gw/v1/wado?requestType=WADO&studyUID=%s&seriesUID=%s&objectUID=%s&contentType=image/jpeg"\noutput = "/dev/null"\n' \
      "$WORK/pki/ca.pem" "$WORK/pki/portal.pem" "$WORK/pki/portal.key" "${tokens[$i]}" "$GWP" "$st" "$se" "$so" >> "$WORK/gw.cfg"
    i=$((i + 1))
  done <<< "$UIDS"; done
}
http_round() { make_round; local t0; t0=$(now); curl -s -K "$WORK/gw.cfg"; elapsed "$t0"; }
http_round >/dev/null  # warm-up
C=()
for run in 1 2 3; do A+=("$(orthanc_round)"); C+=("$(http_round)"); done
TA=$(best "${A[@]}"); TC=$(best "${C[@]}")
printf 'gateway WADO-URI over HTTPS (mTLS, JPEG):     %d renders, best of 3: %.3f s, %.1f images/s\n' "$GTOTAL" "$TC" "$(echo "$GTOTAL / $TC" | bc -l)"
printf 'Orthanc (best of all 6 rounds):               %.3f s, %.1f images/s\n' "$TA" "$(echo "$TOTAL / $TA" | bc -l)"
printf 'HTTP render ratio gateway/Orthanc (per image): %.2f\n' "$(echo "($GTOTAL / $TC) / ($TOTAL / $TA)" | bc -l)"
AUDITED=$(wc -l < "$STATE/audit.jsonl")
ALLOWED=$(grep -c '"outcome":"allowed"' "$STATE/audit.jsonl" || true)
echo "gateway local audit lines written: $AUDITED ($ALLOWED allowed)"
