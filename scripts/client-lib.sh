# Shared by the client-* scripts and bench-client.sh: build the two binaries, start an emulator
# on a free loopback port with a seeded workspace, and clean everything up on exit.
# Sourced, not run.

BUILD=${BUILD:-build/client-scripts}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

client_build() {
  if [ ! -f "$ROOT/$BUILD/build.ninja" ]; then
    cmake -S "$ROOT" -B "$ROOT/$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DFASTIO_BUILD_TESTS=OFF -DFASTIO_BUILD_BENCHMARKS=OFF >/dev/null
  fi
  cmake --build "$ROOT/$BUILD" --target fastiofs fastio-emulator -j "${JOBS:-2}" >/dev/null
  FASTIOFS="$ROOT/$BUILD/fs/cli/fastiofs"
  EMULATOR="$ROOT/$BUILD/emulator/fastio-emulator"
}

# client_start_emulator WORKSPACE_NAME [extra emulator args...]
# Sets WORK (temp dir), EMU_PID, PORT, API (base URL with /current), exports FASTIO_* for fastiofs.
client_start_emulator() {
  local ws=$1
  shift
  WORK=$(mktemp -d /tmp/fastio-client-XXXXXX)
  trap client_cleanup EXIT INT TERM
  mkdir -p "$WORK/seed/$ws" "$WORK/data"
  local token
  token=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
  "$EMULATOR" --data "$WORK/data" --listen 127.0.0.1:0 --token "$token" --seed "$WORK/seed" \
    --log-level warn "$@" >"$WORK/emulator.log" 2>&1 &
  EMU_PID=$!
  for _ in $(seq 1 200); do
    PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/emulator.log" | head -1)
    [ -n "$PORT" ] && break
    kill -0 "$EMU_PID" 2>/dev/null || { cat "$WORK/emulator.log" >&2; echo "emulator died" >&2; exit 1; }
    sleep 0.05
  done
  [ -n "$PORT" ] || { echo "emulator did not start" >&2; exit 1; }
  API="http://127.0.0.1:$PORT/current"
  export FASTIO_BASE_URL="$API"
  export FASTIO_API_KEY="$token"
  EMU_TOKEN=$token
}

client_faults() {  # client_faults JSON
  curl -sf -X POST -H 'Content-Type: application/json' -d "$1" \
    "http://127.0.0.1:$PORT/_emulator/faults" >/dev/null
}

client_cleanup() {
  if [ -n "${EMU_PID:-}" ]; then
    kill "$EMU_PID" 2>/dev/null || true
    wait "$EMU_PID" 2>/dev/null || true
  fi
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
}
