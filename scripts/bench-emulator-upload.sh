#!/usr/bin/env bash
# Measures the emulator's upload path with plain curl: a chunked upload of SIZE_MIB (3 chunks in
# flight, CHUNK_MIB each) until the session is `stored`, the emulator's peak resident memory
# while it ran, and a loop of small single-call uploads. These are the "plain curl" baselines the
# filesystem's upload targets are compared with (PRODUCT.md §5).
#   usage: scripts/bench-emulator-upload.sh [BUILD_DIR]   (env: SIZE_MIB=1024 CHUNK_MIB=16 SMALL=300)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/ci}
SIZE_MIB=${SIZE_MIB:-1024}
CHUNK_MIB=${CHUNK_MIB:-16}
SMALL=${SMALL:-300}
BIN="$BUILD/emulator/fastio-emulator"
[ -x "$BIN" ] || { echo "no $BIN: build the fastio-emulator target first" >&2; exit 1; }

WORK=$(mktemp -d /tmp/fastio-bench-upload.XXXXXX)
EMU_PID=""
cleanup() {
  [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null && wait "$EMU_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

mkdir -p "$WORK/seed/bench-ws"
echo seeded > "$WORK/seed/bench-ws/readme.txt"
TOKEN=bench-token
"$BIN" --data "$WORK/data" --seed "$WORK/seed" --token "$TOKEN" --listen 127.0.0.1:0 \
  --log-level warn > "$WORK/emulator.out" 2>&1 &
EMU_PID=$!
for _ in $(seq 100); do grep -q "listening on" "$WORK/emulator.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on [^:]*:\([0-9]*\).*/\1/p' "$WORK/emulator.out")
[ -n "$PORT" ] || { echo "the emulator did not start:" >&2; cat "$WORK/emulator.out" >&2; exit 1; }
API="http://127.0.0.1:$PORT/current"
AUTH="Authorization: Bearer $TOKEN"
json() { python3 -c "import sys,json; d=json.load(sys.stdin); print($1)"; }

echo "== chunked upload: ${SIZE_MIB} MiB in ${CHUNK_MIB} MiB chunks, 3 in flight (curl)"
head -c $((SIZE_MIB * 1048576)) /dev/urandom > "$WORK/big.bin"
mkdir "$WORK/chunks"
split -b "${CHUNK_MIB}M" -d -a 4 "$WORK/big.bin" "$WORK/chunks/c."
SIZE=$(stat -c %s "$WORK/big.bin")
start=$(date +%s.%N)
ID=$(curl -sf -H "$AUTH" -d name=big.bin -d size="$SIZE" -d action=create -d instance_id=bench-ws \
  -d folder_id=root -d profile_type=workspace "$API/upload/" | json 'd["id"]')
ls "$WORK/chunks" | awk '{ printf "%s %d\n", $1, NR }' |
  xargs -P 3 -n 2 sh -c 'curl -sf -o /dev/null -H "$0" -F "chunk=@$1/chunks/$4" \
      "$2/upload/$3/chunk/?order=$5"' "$AUTH" "$WORK" "$API" "$ID"
sent=$(date +%s.%N)
curl -sf -o /dev/null -H "$AUTH" -d '' "$API/upload/$ID/complete/"
status=""
while [ "$status" != stored ]; do
  status=$(curl -sf -H "$AUTH" "$API/upload/$ID/details/?wait=30" | json 'd["session"]["status"]')
  case "$status" in assembly_failed|store_failed) echo "upload failed: $status" >&2; exit 1;; esac
done
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
printf "stored in %.2f s: %.1f MiB/s (chunks sent in %.2f s, complete -> stored %.2f s)\n" \
  "$secs" "$(echo "$SIZE_MIB / $secs" | bc -l)" "$(echo "$sent - $start" | bc -l)" \
  "$(echo "$end - $sent" | bc -l)"
printf "emulator peak RSS: %s\n" "$(grep VmHWM /proc/$EMU_PID/status | awk '{print $2, $3}')"

echo "== ${SMALL} single-call uploads of 4 KiB (curl loop)"
head -c 4096 /dev/urandom > "$WORK/small.bin"
start=$(date +%s.%N)
for i in $(seq "$SMALL"); do
  curl -sf -o /dev/null -H "$AUTH" -F name="small-$i.bin" -F size=4096 -F action=create \
    -F instance_id=bench-ws -F folder_id=root -F profile_type=workspace \
    -F "chunk=@$WORK/small.bin" "$API/upload/"
done
end=$(date +%s.%N)
secs=$(echo "$end - $start" | bc -l)
printf "%d files in %.2f s: %.1f files/s\n" "$SMALL" "$secs" "$(echo "$SMALL / $secs" | bc -l)"
