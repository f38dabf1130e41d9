#!/usr/bin/env bash
# Decision + audit append per request (decisions/s, p50/p99), on a private PostgreSQL
# cluster, against a network of 4 disclosing hospitals, 60 viewing facilities, 600 users
# and the consents of two thirds of N patients per hospital.
#
#   tests/bench/decide_audit_bench.sh [BUILD_DIR] [SECONDS] [THREADS] [PATIENTS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
seconds=${2:-10}
threads=${3:-4}
patients=${4:-20000}
exec "$build/tests/bench/decide_audit_bench" --seconds "$seconds" --threads "$threads" \
  --patients "$patients"
