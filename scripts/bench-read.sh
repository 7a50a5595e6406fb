#!/usr/bin/env bash
# Read-path benchmark of a real mount, side by side in one run on this machine (PRODUCT.md §5):
#   1. cold sequential read of a 1 GiB file through fastiofs vs curl downloading it from the
#      same emulator;
#   2. warm sequential read (blocks in the LMDB cache, kernel page cache dropped) vs libfuse's
#      low-level passthrough example (passthrough_ll) reading the same file from local disk;
#   3. `ls -l` of a 10,000-entry folder, warm, vs the same passthrough.
# Usage: scripts/bench-read.sh [BUILD_DIR]   (default build/bench; needs root for drop_caches)
# SIZE_MIB=1024 ENTRIES=10000 can be lowered for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/bench}
SIZE_MIB=${SIZE_MIB:-1024}
ENTRIES=${ENTRIES:-10000}

if [ ! -x "$BUILD/fs/cli/fastiofs" ] || [ ! -x "$BUILD/emulator/fastio-emulator" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFASTIO_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD" --target fastiofs fastio-emulator -j "$(nproc)"
fi
FASTIOFS=$(realpath "$BUILD/fs/cli/fastiofs")
EMULATOR=$(realpath "$BUILD/emulator/fastio-emulator")

WORK=$(mktemp -d /tmp/fastiofs-bench.XXXXXX)
EMU_PID=""
PT_PID=""
cleanup() {
  fusermount3 -u -z "$WORK/mnt" 2>/dev/null || true
  fusermount3 -u -z "$WORK/pt" 2>/dev/null || true
  [ -n "$PT_PID" ] && kill "$PT_PID" 2>/dev/null || true
  [ -n "$EMU_PID" ] && kill "$EMU_PID" 2>/dev/null || true
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/seed/bench-space/wide" "$WORK/mnt" "$WORK/pt" "$WORK/cache"

echo "== preparing ${SIZE_MIB} MiB file and ${ENTRIES} entries"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >"$WORK/seed/bench-space/big.bin"
(cd "$WORK/seed/bench-space/wide" && seq 1 "$ENTRIES" | xargs touch)

echo "== passthrough_ll"
gcc -O2 -o "$WORK/passthrough_ll" /usr/share/doc/libfuse3-dev/examples/passthrough_ll.c \
  $(pkg-config fuse3 --cflags --libs)

echo "== starting the emulator (seeding takes a while)"
TOKEN=bench-token
"$EMULATOR" --data "$WORK/data" --listen 127.0.0.1:0 --token "$TOKEN" --seed "$WORK/seed" \
  --threads 32 >"$WORK/emulator.log" 2>&1 &
EMU_PID=$!
for _ in $(seq 1 3000); do
  grep -q "listening on" "$WORK/emulator.log" && break
  sleep 0.2
done
PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/emulator.log" | head -1)
API="http://127.0.0.1:$PORT/current"

ids=$(curl -s -H "Authorization: Bearer $TOKEN" "$API/workspaces/all/" | python3 -c '
import json,sys
d=json.load(sys.stdin); d=d.get("response",d)
for w in d["workspaces"]:
    if w["folder_name"]=="bench-space": print(w["id"])')
WS=$ids
NODE=$(curl -s -H "Authorization: Bearer $TOKEN" "$API/workspace/$WS/storage/root/list/?page_size=500" |
  python3 -c '
import json,sys
d=json.load(sys.stdin); d=d.get("response",d)
n=d["nodes"]; n=n.get("items",n) if isinstance(n,dict) else n
print([x["id"] for x in n if x["name"]=="big.bin"][0])')

now() { date +%s.%N; }
rate() { python3 -c "print(f'{$1/($3-$2):.1f}')"; }  # MiB/s from size, start, end
drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }

echo "== curl download (cold reference)"
drop
t0=$(now); curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$API/workspace/$WS/storage/$NODE/read/"; t1=$(now)
CURL=$(rate "$SIZE_MIB" "$t0" "$t1")

echo "== fastiofs mount"
FASTIO_API_KEY=$TOKEN "$FASTIOFS" mount "$WORK/mnt" --api-url "$API" --cache-dir "$WORK/cache" \
  --cache-size "$((SIZE_MIB * 2 + 512))M" -o log_level=warn
drop
t0=$(now); dd if="$WORK/mnt/bench-space/big.bin" of=/dev/null bs=1M status=none; t1=$(now)
COLD=$(rate "$SIZE_MIB" "$t0" "$t1")
cmp "$WORK/mnt/bench-space/big.bin" "$WORK/seed/bench-space/big.bin"
drop
t0=$(now); dd if="$WORK/mnt/bench-space/big.bin" of=/dev/null bs=1M status=none; t1=$(now)
WARM=$(rate "$SIZE_MIB" "$t0" "$t1")
ls -l "$WORK/mnt/bench-space/wide" >/dev/null
t0=$(now); ls -l "$WORK/mnt/bench-space/wide" >/dev/null; t1=$(now)
LS_FASTIO=$(python3 -c "print(f'{$t1-$t0:.3f}')")

echo "== passthrough_ll on local disk"
"$WORK/passthrough_ll" -o source="$WORK/seed" "$WORK/pt" &
PT_PID=$!
for _ in $(seq 1 50); do mountpoint -q "$WORK/pt" && break; sleep 0.1; done
drop
t0=$(now); dd if="$WORK/pt/bench-space/big.bin" of=/dev/null bs=1M status=none; t1=$(now)
PT=$(rate "$SIZE_MIB" "$t0" "$t1")
ls -l "$WORK/pt/bench-space/wide" >/dev/null
t0=$(now); ls -l "$WORK/pt/bench-space/wide" >/dev/null; t1=$(now)
LS_PT=$(python3 -c "print(f'{$t1-$t0:.3f}')")

echo
echo "results (${SIZE_MIB} MiB file, ${ENTRIES} entries, $(nproc) cores)"
printf '  cold read   fastiofs %8s MiB/s   curl        %8s MiB/s   ratio %s (target >= 0.9)\n' \
  "$COLD" "$CURL" "$(python3 -c "print(f'{$COLD/$CURL:.2f}')")"
printf '  warm read   fastiofs %8s MiB/s   passthrough %8s MiB/s   ratio %s (target >= 0.8)\n' \
  "$WARM" "$PT" "$(python3 -c "print(f'{$WARM/$PT:.2f}')")"
printf '  ls -l warm  fastiofs %8s s       passthrough %8s s       ratio %s (target <= 1.0)\n' \
  "$LS_FASTIO" "$LS_PT" "$(python3 -c "print(f'{$LS_FASTIO/$LS_PT:.2f}')")"
