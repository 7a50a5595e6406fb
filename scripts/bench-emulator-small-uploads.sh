#!/usr/bin/env bash
# The emulator's request rate for small files: UPLOADS single-call uploads of SIZE bytes from
# CLIENTS concurrent clients, while READERS other clients list the folder and read a node's
# details (READS requests in all). Each client is one curl process that sends its requests one
# after the other on a kept-alive connection, so the emulator is measured, not process start-up.
# Prints uploads/s, reads/s and the total request rate, and fails if any request is not a 200.
#   usage: scripts/bench-emulator-small-uploads.sh [BUILD_DIR | EMULATOR_BINARY]
#   env:   UPLOADS=2000 CLIENTS=8 READS=1000 READERS=2 SIZE=1024
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${1:-build/ci}
UPLOADS=${UPLOADS:-2000}
CLIENTS=${CLIENTS:-8}
READS=${READS:-1000}
READERS=${READERS:-2}
SIZE=${SIZE:-1024}
if [ -f "$TARGET" ]; then BIN=$TARGET; else BIN="$TARGET/emulator/fastio-emulator"; fi
[ -x "$BIN" ] || { echo "no $BIN: build the fastio-emulator target first" >&2; exit 1; }

WORK=$(mktemp -d /tmp/fastio-bench-small.XXXXXX)
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
README=$(curl -sf -H "$AUTH" "$API/workspace/bench-ws/storage/root/list/" |
  python3 -c 'import sys,json; print(json.load(sys.stdin)["nodes"]["items"][0]["id"])')
head -c "$SIZE" /dev/urandom > "$WORK/small.bin"

# One curl config per client: its requests, separated by `next` (which resets per-request
# options, so each one names its output and status line).
EACH='output = "/dev/null"
write-out = "%{http_code}\\n"'
for c in $(seq "$CLIENTS"); do
  for i in $(seq "$c" "$CLIENTS" "$UPLOADS"); do
    [ "$i" -gt "$c" ] && printf 'next\n'
    printf 'url = "%s/upload/"\nheader = "%s"\n%s\n' "$API" "$AUTH" "$EACH"
    for field in "name=small-$i.bin" "size=$SIZE" action=create instance_id=bench-ws \
      folder_id=root profile_type=workspace "chunk=@$WORK/small.bin"; do
      printf 'form = "%s"\n' "$field"
    done
  done > "$WORK/upload-$c.cfg"
done
for r in $(seq "$READERS"); do
  for i in $(seq "$r" "$READERS" "$READS"); do
    [ "$i" -gt "$r" ] && printf 'next\n'
    if [ $((i % 2)) -eq 0 ]; then
      url="$API/workspace/bench-ws/storage/root/list/?page_size=100"
    else
      url="$API/workspace/bench-ws/storage/$README/details/"
    fi
    printf 'url = "%s"\nheader = "%s"\n%s\n' "$url" "$AUTH" "$EACH"
  done > "$WORK/read-$r.cfg"
done

# Runs one client; its status codes go to $WORK/$1.codes and its wall time to $WORK/$1.secs.
run_client() {
  local start end
  start=$(date +%s.%N)
  curl -s -K "$WORK/$1.cfg" > "$WORK/$1.codes" || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l > "$WORK/$1.secs"
}

echo "== $UPLOADS single-call uploads of $SIZE B from $CLIENTS clients," \
  "with $READS list/details reads from $READERS clients ($BIN)"
start=$(date +%s.%N)
pids=()
for c in $(seq "$CLIENTS"); do run_client "upload-$c" & pids+=($!); done
for r in $(seq "$READERS"); do run_client "read-$r" & pids+=($!); done
wait "${pids[@]}"
end=$(date +%s.%N)

count_ok() { cat "$WORK"/$1-*.codes | grep -c '^200$' || true; }
slowest() { sort -g "$WORK"/$1-*.secs | tail -1; }
uploads_ok=$(count_ok upload)
reads_ok=$(count_ok read)
total=$(echo "$end - $start" | bc -l)
upload_secs=$(slowest upload)
read_secs=$(slowest read)
printf "uploads: %d ok in %.2f s: %.0f uploads/s\n" "$uploads_ok" "$upload_secs" \
  "$(echo "$uploads_ok / $upload_secs" | bc -l)"
printf "reads:   %d ok in %.2f s: %.0f reads/s\n" "$reads_ok" "$read_secs" \
  "$(echo "$reads_ok / $read_secs" | bc -l)"
printf "total:   %d requests in %.2f s: %.0f requests/s\n" "$((uploads_ok + reads_ok))" "$total" \
  "$(echo "($uploads_ok + $reads_ok) / $total" | bc -l)"
if [ "$uploads_ok" -ne "$UPLOADS" ] || [ "$reads_ok" -ne "$READS" ]; then
  echo "some requests failed: $((UPLOADS - uploads_ok)) uploads, $((READS - reads_ok)) reads" >&2
  cat "$WORK"/*.codes | sort | uniq -c >&2
  exit 1
fi
