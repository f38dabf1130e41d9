#!/usr/bin/env bash
# The usage statistics over a large generated audit log (docs/performance.md).
#
#   tests/bench/stats_bench.sh [BUILD_DIR] [RECORDS] [READS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
records=${2:-10000000}
reads=${3:-100}
exec "$build/tests/bench/stats_bench" --gen "$build/tests/bench/hareyaka-stats-gen" \
  --records "$records" --reads "$reads"
