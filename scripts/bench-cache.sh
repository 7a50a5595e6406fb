#!/usr/bin/env bash
# Builds and runs the cache microbenchmarks (bench/CacheBench.cpp) in a release build.
# Usage: scripts/bench-cache.sh [extra google-benchmark flags, e.g. --benchmark_filter=Journal]
# Env: BUILD_DIR (default build/bench), FASTIO_BENCH_DIR (scratch files; default /var/tmp,
# which should be a real disk: fsync figures on tmpfs mean nothing).
# Results are printed and also written as JSON to $BUILD_DIR/cache_bench.json.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build/bench}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFASTIO_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" --target cache_bench -j "${JOBS:-2}"
bin=$(find "$BUILD_DIR" -name cache_bench -type f -perm -u+x | head -n1)
echo "== $(date -u +%FT%TZ) on $(nproc) cores; scratch ${FASTIO_BENCH_DIR:-/var/tmp} ($(df -T "${FASTIO_BENCH_DIR:-/var/tmp}" | awk 'NR==2{print $2}'))"
"$bin" --benchmark_out="$BUILD_DIR/cache_bench.json" --benchmark_out_format=json \
  --benchmark_counters_tabular=true "$@"
