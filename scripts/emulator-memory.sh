#!/usr/bin/env bash
# Measures fastio-emulator's resident memory while a large file streams up (a chunked upload
# with curl) and back down (curl to /dev/null). Prints the peak VmRSS of each phase.
# Usage: scripts/emulator-memory.sh [SIZE_MIB] (default 2048). Target: peak < 100 MB.
# Uses build/ci (or $BUILD_DIR) for the binary; builds fastio-emulator there if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_MIB=${1:-2048}
CHUNK_MIB=${CHUNK_MIB:-64}
BUILD_DIR=${BUILD_DIR:-build/ci}
BIN="$BUILD_DIR/emulator/fastio-emulator"
if [ ! -x "$BIN" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DFASTIO_WERROR=ON >/dev/null
  cmake --build "$BUILD_DIR" --target fastio-emulator -j "${JOBS:-2}"
fi

WORK=$(mktemp -d /tmp/fastio-emu-mem.XXXXXX)
TOKEN="memory-test-token"
EMU_PID=""
SAMPLER_PID=""
cleanup() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  if [ -n "$EMU_PID" ]; then
    kill "$EMU_PID" 2>/dev/null || true
    wait "$EMU_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN" --data "$WORK/data" --listen 127.0.0.1:0 --token "$TOKEN" --log-level warn \
  >"$WORK/emulator.log" 2>&1 &
EMU_PID=$!
for _ in $(seq 1 300); do
  grep -q "listening on" "$WORK/emulator.log" 2>/dev/null && break
  sleep 0.05
done
PORT=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$WORK/emulator.log" | grep -o '[0-9]*$')
[ -n "$PORT" ] || { echo "emulator did not start:"; cat "$WORK/emulator.log"; exit 1; }
API="http://127.0.0.1:$PORT/current"
AUTH="Authorization: Bearer $TOKEN"
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }

# Samples VmRSS (kB) every 50 ms into $1 until killed.
sample() {
  while kill -0 "$EMU_PID" 2>/dev/null; do
    awk '/VmRSS/ {print $2}' "/proc/$EMU_PID/status" 2>/dev/null >>"$1" || true
    sleep 0.05
  done
}
peak_mb() { sort -n "$1" | tail -1 | awk '{printf "%.1f", $1/1024}'; }

ORG=$(curl -sf -H "$AUTH" "$API/orgs/list/" | json "['orgs'][0]['id']")
curl -sf -H "$AUTH" -X POST "$API/org/$ORG/create/workspace/" \
  --data-urlencode folder_name=memory-ws --data-urlencode name=Memory \
  --data-urlencode "perm_join=Member or above" --data-urlencode "perm_member_manage=Member or above" \
  --data-urlencode intelligence=false >/dev/null

SIZE=$((SIZE_MIB * 1024 * 1024))
CHUNK=$((CHUNK_MIB * 1024 * 1024))
SRC="$WORK/source.bin"
truncate -s "$SIZE" "$SRC"   # sparse: reading it costs no disk
IDLE_KB=$(awk '/VmRSS/ {print $2}' "/proc/$EMU_PID/status")

echo "== upload of $SIZE_MIB MiB in $CHUNK_MIB MiB chunks"
sample "$WORK/up.rss" & SAMPLER_PID=$!
START=$(date +%s.%N)
SESSION=$(curl -sf -H "$AUTH" -X POST "$API/upload/" --data-urlencode name=big.bin \
  --data-urlencode size="$SIZE" --data-urlencode action=create \
  --data-urlencode instance_id=memory-ws --data-urlencode folder_id=root \
  --data-urlencode profile_type=workspace | json "['id']")
CHUNKS=$(( (SIZE + CHUNK - 1) / CHUNK ))
for ((order = 1; order <= CHUNKS; order++)); do
  offset=$(( (order - 1) * CHUNK ))
  len=$(( SIZE - offset < CHUNK ? SIZE - offset : CHUNK ))
  dd if="$SRC" bs=1M skip=$(( offset / 1048576 )) count=$(( (len + 1048575) / 1048576 )) \
     status=none | head -c "$len" |
    curl -sf -H "$AUTH" -X POST "$API/upload/$SESSION/chunk/?order=$order&size=$len" \
      -F "chunk=@-;filename=chunk$order" >/dev/null
done
curl -sf -H "$AUTH" -X POST -d "" "$API/upload/$SESSION/complete/" >/dev/null
NODE=""
for _ in $(seq 1 600); do
  DETAILS=$(curl -sf -H "$AUTH" "$API/upload/$SESSION/details/?wait=5")
  STATUS=$(echo "$DETAILS" | json "['session']['status']")
  case "$STATUS" in
    stored) NODE=$(echo "$DETAILS" | json "['session']['new_file_id']"); break ;;
    assembly_failed|store_failed) echo "upload failed: $DETAILS"; exit 1 ;;
  esac
done
[ -n "$NODE" ] || { echo "upload did not finish"; exit 1; }
UP_SECS=$(python3 -c "print($(date +%s.%N) - $START)")
kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""

echo "== download of the same file"
sample "$WORK/down.rss" & SAMPLER_PID=$!
START=$(date +%s.%N)
GOT=$(curl -sf -H "$AUTH" -o /dev/null -w '%{size_download}' \
  "$API/workspace/memory-ws/storage/$NODE/read/")
DOWN_SECS=$(python3 -c "print($(date +%s.%N) - $START)")
kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
[ "$GOT" = "$SIZE" ] || { echo "downloaded $GOT bytes, expected $SIZE"; exit 1; }

printf 'idle RSS:            %.1f MB\n' "$(python3 -c "print($IDLE_KB / 1024)")"
printf 'upload   peak RSS:   %s MB  (%s MiB in %.1f s)\n' "$(peak_mb "$WORK/up.rss")" "$SIZE_MIB" "$UP_SECS"
printf 'download peak RSS:   %s MB  (%s MiB in %.1f s)\n' "$(peak_mb "$WORK/down.rss")" "$SIZE_MIB" "$DOWN_SECS"
