# Shared pieces of the benchmark scripts (sourced, not run): building, an emulator with a seed,
# libfuse's passthrough_ll as the FUSE reference, timing and medians. The caller sets BUILD
# and WORK and calls bench_cleanup from its EXIT trap.

EMU_PID=""
PT_PID=""
TOKEN=bench-token

bench_build() {
  if [ ! -x "$BUILD/fs/cli/fastiofs" ] || [ ! -x "$BUILD/emulator/fastio-emulator" ]; then
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFASTIO_BUILD_TESTS=OFF >/dev/null
  fi
  cmake --build "$BUILD" --target fastiofs fastio-emulator -j "$(nproc)" >/dev/null
  FASTIOFS=$(realpath "$BUILD/fs/cli/fastiofs")
  EMULATOR=$(realpath "$BUILD/emulator/fastio-emulator")
}

bench_cleanup() {
  fusermount3 -u -z "$WORK/mnt" 2>/dev/null || true
  fusermount3 -u -z "$WORK/pt" 2>/dev/null || true
  [ -n "$PT_PID" ] && kill "$PT_PID" 2>/dev/null || true
  pkill -f "fastiofs mount $WORK/mnt" 2>/dev/null || true
  [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null || true
  sleep 0.5
  rm -rf "$WORK"
}

# bench_start_emulator SEED_DIR: starts it, waits until it listens and has indexed its seed;
# sets API.
bench_start_emulator() {
  "$EMULATOR" --data "$WORK/data" --listen 127.0.0.1:0 --token "$TOKEN" --seed "$1" \
    --threads 32 >"$WORK/emulator.log" 2>&1 &
  EMU_PID=$!
  for _ in $(seq 1 3000); do
    grep -q "listening on" "$WORK/emulator.log" && break
    sleep 0.2
  done
  PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/emulator.log" | head -1)
  API="http://127.0.0.1:$PORT/current"
  # The emulator indexes the seeded files for search in the background; measure after that.
  for _ in $(seq 1 600); do
    local a b
    a=$(awk '{print $14 + $15}' "/proc/$EMU_PID/stat")
    sleep 1
    b=$(awk '{print $14 + $15}' "/proc/$EMU_PID/stat")
    [ $((b - a)) -lt 5 ] && break
  done
}

# bench_workspace_id FOLDER_NAME
bench_workspace_id() {
  curl -s -H "Authorization: Bearer $TOKEN" "$API/workspaces/all/" | python3 -c '
import json,sys
d=json.load(sys.stdin); d=d.get("response",d)
print([w["id"] for w in d["workspaces"] if w["folder_name"]==sys.argv[1]][0])' "$1"
}

# bench_passthrough SOURCE_DIR: libfuse's low-level passthrough example mounted on $WORK/pt.
bench_passthrough() {
  gcc -O2 -o "$WORK/passthrough_ll" /usr/share/doc/libfuse3-dev/examples/passthrough_ll.c \
    $(pkg-config fuse3 --cflags --libs)
  mkdir -p "$WORK/pt"
  "$WORK/passthrough_ll" -o source="$1" "$WORK/pt" &
  PT_PID=$!
  for _ in $(seq 1 50); do mountpoint -q "$WORK/pt" && break; sleep 0.1; done
}

now() { date +%s.%N; }
drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
cpu() { awk '{printf "%.3f", ($14 + $15) / 100}' "/proc/$1/stat"; }  # user+system seconds
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.3f}")' "$@"; }
span() { python3 -c 'import sys; v=[float(x) for x in sys.argv[1:]]; print(f"{min(v):.2f}-{max(v):.2f}")' "$@"; }
ratio() { python3 -c "print(f'{$1/$2:.3f}')"; }
# Times a command; prints seconds.
timed() {
  local t0 t1
  t0=$(now)
  "$@" >/dev/null
  t1=$(now)
  python3 -c "print(f'{$t1-$t0:.4f}')"
}

# mount_fastiofs [EXTRA -o OPTIONS]: on $WORK/mnt with the cache in $WORK/cache.
mount_fastiofs() {
  local extra=${1:-}
  FASTIO_API_KEY=$TOKEN "$FASTIOFS" mount "$WORK/mnt" --api-url "$API" --cache-dir "$WORK/cache" \
    --cache-size "${CACHE_SIZE:-4G}" -o "log_level=warn${extra:+,$extra}"
}
unmount_fastiofs() {
  "$FASTIOFS" unmount "$WORK/mnt" >/dev/null 2>&1 || fusermount3 -u "$WORK/mnt"
  for _ in $(seq 1 50); do mountpoint -q "$WORK/mnt" || break; sleep 0.1; done
}
daemon_pid() { pgrep -f "fastiofs mount $WORK/mnt" | head -1; }
