#!/usr/bin/env bash
# PIX identity manager: loads IDENTITIES generated identities with COPY into a private
# PostgreSQL cluster, then measures ITI-44 feeds/s (SOAP in, matching, ack out) and ITI-45
# PIX query latency (p50/p99) through pix::Service, with THREADS client threads.
#
#   tests/bench/pix_bench.sh [BUILD_DIR] [IDENTITIES] [SECONDS] [THREADS] [FEEDS=yes|no]
#
# FEEDS=no measures queries only (the 10M-identity run: tests/bench/pix_bench.sh build 10000000 20 4 no).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
identities=${2:-1000000}
seconds=${3:-10}
threads=${4:-4}
feeds=${5:-yes}
exec "$build/tests/bench/pix_bench" --identities "$identities" --seconds "$seconds" \
  --threads "$threads" --feeds "$feeds"
