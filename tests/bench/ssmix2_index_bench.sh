#!/bin/sh
# SS-MIX2 index build benchmark: generates a synthetic storage of >= 100k files (once; kept
# in WORKDIR for reruns), then times the index build against a raw read of the same files.
#   tests/bench/ssmix2_index_bench.sh BUILD_DIR [PATIENTS] [WORKDIR]
# BUILD_DIR must hold hareyaka-ssmix2-gen and ssmix2_index_bench
# (ninja -C BUILD_DIR hareyaka-ssmix2-gen ssmix2_index_bench).
set -eu
build=${1:?usage: $0 BUILD_DIR [PATIENTS] [WORKDIR]}
patients=${2:-7000}
work=${3:-/tmp/hareyaka-ssmix2-bench}
storage="$work/std-$patients"
if [ ! -d "$storage" ]; then
  mkdir -p "$work"
  echo "generating $patients patients into $storage"
  "$build/gateway/hareyaka-ssmix2-gen" --out "$storage" --patients "$patients" --seed 42 --visits 6
fi
"$build/tests/bench/ssmix2_index_bench" --storage "$storage" --threads "${THREADS:-2}"
