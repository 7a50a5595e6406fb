#!/usr/bin/env bash
# Builds everything and runs every test: first the unit tests under ASan/UBSan, then the whole
# suite (unit, emulator, integration mounts) in a warnings-as-errors release build. The last thing
# printed is ctest's summary of the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

JOBS=${JOBS:-$(nproc)}

echo "== unit tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DFASTIO_SANITIZE=ON \
  -DFASTIO_WERROR=ON -DFASTIO_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/asan --target unit_tests -j "$JOBS"
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -L unit --output-on-failure -j "$JOBS")

echo "== full suite (release build, -Werror)"
cmake -S . -B build/ci -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFASTIO_WERROR=ON >/dev/null
cmake --build build/ci -j "$JOBS"
cd build/ci
ctest --output-on-failure -j "$JOBS"
