#!/usr/bin/env bash
# Read-path benchmark of a real mount, side by side in one run on this machine (PRODUCT.md §5).
# RUNS rounds; each round measures a reference and fastiofs back to back, and the ratios
# reported are medians of the per-round ratios:
#   1. cold sequential read of a SIZE_MIB file through fastiofs (empty cache, fresh mount,
#      kernel caches dropped) vs curl downloading it from the same emulator, both to /dev/null
#      and to a file on local disk;
#   2. warm sequential read (blocks in the LMDB cache, kernel page cache dropped) vs libfuse's
#      low-level passthrough example (passthrough_ll) reading the same file from local disk;
#   3. `ls -l` of an ENTRIES-entry folder, warm, vs the same passthrough;
#   4. `grep -r` over SMALL_FILES small files, cold and warm, vs the same passthrough.
# CPU seconds of each process are shown for the cold read: the mount, the emulator and dd all
# share this machine's cores, which bounds what a ratio against curl can reach.
# Usage: scripts/bench-read.sh [BUILD_DIR]   (default build/bench; needs root for drop_caches)
# SIZE_MIB=1024 ENTRIES=10000 SMALL_FILES=2000 RUNS=5 can be changed for a quicker run.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/bench}
SIZE_MIB=${SIZE_MIB:-1024}
ENTRIES=${ENTRIES:-10000}
SMALL_FILES=${SMALL_FILES:-2000}
RUNS=${RUNS:-5}

if [ ! -x "$BUILD/fs/cli/fastiofs" ] || [ ! -x "$BUILD/emulator/fastio-emulator" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DFASTIO_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$BUILD" --target fastiofs fastio-emulator -j "$(nproc)" >/dev/null
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
SEED="$WORK/seed/bench-space"
mkdir -p "$SEED/wide" "$SEED/small" "$WORK/mnt" "$WORK/pt" "$WORK/cache"

echo "== preparing a ${SIZE_MIB} MiB file, ${ENTRIES} entries, ${SMALL_FILES} small files"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >"$SEED/big.bin"
(cd "$SEED/wide" && seq 1 "$ENTRIES" | xargs touch)
python3 - "$SEED/small" "$SMALL_FILES" <<'EOF'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
words = "alpha beta gamma delta revenue forecast invoice budget quarterly needle".split()
rng = random.Random(7)
for i in range(count):
    folder = os.path.join(root, f"d{i % 20:02d}")
    os.makedirs(folder, exist_ok=True)
    lines = [" ".join(rng.choice(words) for _ in range(10)) for _ in range(rng.randint(20, 120))]
    with open(os.path.join(folder, f"f{i:05d}.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
EOF

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

# The emulator indexes the seeded files for search in the background; measure after that.
for _ in $(seq 1 600); do
  a=$(awk '{print $14 + $15}' "/proc/$EMU_PID/stat")
  sleep 1
  b=$(awk '{print $14 + $15}' "/proc/$EMU_PID/stat")
  [ $((b - a)) -lt 5 ] && break
done

WS=$(curl -s -H "Authorization: Bearer $TOKEN" "$API/workspaces/all/" | python3 -c '
import json,sys
d=json.load(sys.stdin); d=d.get("response",d)
print([w["id"] for w in d["workspaces"] if w["folder_name"]=="bench-space"][0])')
NODE=$(curl -s -H "Authorization: Bearer $TOKEN" "$API/workspace/$WS/storage/root/list/?page_size=500" |
  python3 -c '
import json,sys
d=json.load(sys.stdin); d=d.get("response",d)
n=d["nodes"]; n=n.get("items",n) if isinstance(n,dict) else n
print([x["id"] for x in n if x["name"]=="big.bin"][0])')
URL="$API/workspace/$WS/storage/$NODE/read/"

now() { date +%s.%N; }
drop() { sync; echo 3 >/proc/sys/vm/drop_caches; }
cpu() { awk '{printf "%.3f", ($14 + $15) / 100}' "/proc/$1/stat"; }  # user+system seconds
median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.3f}")' "$@"; }
# Times a command; prints seconds.
timed() {
  local t0 t1
  t0=$(now)
  "$@" >/dev/null
  t1=$(now)
  python3 -c "print(f'{$t1-$t0:.4f}')"
}
mbps() { python3 -c "print(f'{$SIZE_MIB/$1:.1f}')"; }
mount_fastiofs() {
  FASTIO_API_KEY=$TOKEN "$FASTIOFS" mount "$WORK/mnt" --api-url "$API" --cache-dir "$WORK/cache" \
    --cache-size "$((SIZE_MIB * 2 + 512))M" -o log_level=warn
}
unmount_fastiofs() {
  "$FASTIOFS" unmount "$WORK/mnt" >/dev/null 2>&1 || fusermount3 -u "$WORK/mnt"
  for _ in $(seq 1 50); do mountpoint -q "$WORK/mnt" || break; sleep 0.1; done
}
daemon_pid() { pgrep -f "fastiofs mount $WORK/mnt" | head -1; }

declare -a CURL_NULL CURL_FILE COLD WARM PT LS_FS LS_PT CPU_FS CPU_EMU_FS CPU_EMU_CURL CPU_CURL
declare -a GREP_FS_COLD GREP_FS_WARM GREP_PT_COLD GREP_PT_WARM
declare -a R_COLD_NULL R_COLD_FILE R_WARM R_LS R_GREP_COLD R_GREP_WARM

"$WORK/passthrough_ll" -o source="$WORK/seed" "$WORK/pt" &
PT_PID=$!
for _ in $(seq 1 50); do mountpoint -q "$WORK/pt" && break; sleep 0.1; done
BIG_FS="$WORK/mnt/bench-space/big.bin"
BIG_PT="$WORK/pt/bench-space/big.bin"
ratio() { python3 -c "print(f'{$1/$2:.3f}')"; }

# Each round measures a reference and fastiofs back to back, so both see the same machine;
# the ratios reported are medians of the per-round ratios.
echo "== sequential reads, $RUNS rounds: curl, fastiofs cold, fastiofs warm, passthrough"
for i in $(seq 1 "$RUNS"); do
  drop
  e0=$(cpu "$EMU_PID")
  c=$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL")
  CPU_EMU_CURL+=("$(python3 -c "print($(cpu "$EMU_PID")-$e0)")")
  CURL_NULL+=("$c")
  drop
  f=$(curl -s -o "$WORK/download.bin" -w '%{time_total}' -H "Authorization: Bearer $TOKEN" "$URL")
  CURL_FILE+=("$f")
  rm -f "$WORK/download.bin"
  mountpoint -q "$WORK/mnt" && unmount_fastiofs
  rm -rf "$WORK/cache"
  mount_fastiofs
  drop
  pid=$(daemon_pid)
  f0=$(cpu "$pid")
  e0=$(cpu "$EMU_PID")
  cold=$(timed dd if="$BIG_FS" of=/dev/null bs=1M status=none)
  CPU_FS+=("$(python3 -c "print($(cpu "$pid")-$f0)")")
  CPU_EMU_FS+=("$(python3 -c "print($(cpu "$EMU_PID")-$e0)")")
  COLD+=("$cold")
  [ "$i" = 1 ] && cmp "$BIG_FS" "$SEED/big.bin"
  drop
  warm=$(timed dd if="$BIG_FS" of=/dev/null bs=1M status=none)
  WARM+=("$warm")
  drop
  pt=$(timed dd if="$BIG_PT" of=/dev/null bs=1M status=none)
  PT+=("$pt")
  R_COLD_NULL+=("$(ratio "$c" "$cold")")
  R_COLD_FILE+=("$(ratio "$f" "$cold")")
  R_WARM+=("$(ratio "$pt" "$warm")")
done
CPU_CURL+=("$(/usr/bin/time -f '%U %S' curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" \
  "$URL" 2>&1 | awk '{print $1+$2}')")

echo "== ls -l, $RUNS rounds"
ls -l "$WORK/mnt/bench-space/wide" >/dev/null
ls -l "$WORK/pt/bench-space/wide" >/dev/null
for _ in $(seq 1 "$RUNS"); do
  a=$(timed ls -l "$WORK/mnt/bench-space/wide")
  b=$(timed ls -l "$WORK/pt/bench-space/wide")
  LS_FS+=("$a")
  LS_PT+=("$b")
  R_LS+=("$(ratio "$a" "$b")")
done

echo "== grep -r, $RUNS rounds: fastiofs (fresh mount, empty cache) and passthrough"
for _ in $(seq 1 "$RUNS"); do
  unmount_fastiofs
  rm -rf "$WORK/cache"
  mount_fastiofs
  drop
  gc=$(timed grep -r -c needle "$WORK/mnt/bench-space/small")
  gw=$(timed grep -r -c needle "$WORK/mnt/bench-space/small")
  drop
  pc=$(timed grep -r -c needle "$WORK/pt/bench-space/small")
  pw=$(timed grep -r -c needle "$WORK/pt/bench-space/small")
  GREP_FS_COLD+=("$gc")
  GREP_FS_WARM+=("$gw")
  GREP_PT_COLD+=("$pc")
  GREP_PT_WARM+=("$pw")
  R_GREP_COLD+=("$(ratio "$pc" "$gc")")
  R_GREP_WARM+=("$(ratio "$pw" "$gw")")
done
diff <(cd "$WORK/mnt/bench-space/small" && grep -r -c needle . | sort) \
  <(cd "$SEED/small" && grep -r -c needle . | sort)
unmount_fastiofs

m() { median "$@"; }
span() { python3 -c 'import sys; v=[float(x) for x in sys.argv[1:]]; print(f"{min(v):.2f}-{max(v):.2f}")' "$@"; }
echo
echo "results: $RUNS rounds (${SIZE_MIB} MiB file, ${ENTRIES} entries, ${SMALL_FILES} small files, $(nproc) cores)"
echo "  medians; ratio = median of the per-round ratios (their range in brackets)"
printf '  cold read     fastiofs %8s MiB/s  curl >/dev/null %8s MiB/s  ratio %s [%s] (target >= 0.9)\n' \
  "$(mbps "$(m "${COLD[@]}")")" "$(mbps "$(m "${CURL_NULL[@]}")")" "$(m "${R_COLD_NULL[@]}")" \
  "$(span "${R_COLD_NULL[@]}")"
printf '                                         curl -o file    %8s MiB/s  ratio %s [%s]\n' \
  "$(mbps "$(m "${CURL_FILE[@]}")")" "$(m "${R_COLD_FILE[@]}")" "$(span "${R_COLD_FILE[@]}")"
printf '  warm read     fastiofs %8s MiB/s  passthrough     %8s MiB/s  ratio %s [%s] (target >= 0.8)\n' \
  "$(mbps "$(m "${WARM[@]}")")" "$(mbps "$(m "${PT[@]}")")" "$(m "${R_WARM[@]}")" \
  "$(span "${R_WARM[@]}")"
printf '  ls -l warm    fastiofs %8s s      passthrough     %8s s      time ratio %s [%s] (target <= 1.0)\n' \
  "$(m "${LS_FS[@]}")" "$(m "${LS_PT[@]}")" "$(m "${R_LS[@]}")" "$(span "${R_LS[@]}")"
printf '  grep -r cold  fastiofs %8s s      passthrough     %8s s      rate ratio %s [%s] (target >= 0.67)\n' \
  "$(m "${GREP_FS_COLD[@]}")" "$(m "${GREP_PT_COLD[@]}")" "$(m "${R_GREP_COLD[@]}")" \
  "$(span "${R_GREP_COLD[@]}")"
printf '  grep -r warm  fastiofs %8s s      passthrough     %8s s      rate ratio %s [%s] (target >= 0.67)\n' \
  "$(m "${GREP_FS_WARM[@]}")" "$(m "${GREP_PT_WARM[@]}")" "$(m "${R_GREP_WARM[@]}")" \
  "$(span "${R_GREP_WARM[@]}")"
echo "  CPU seconds during one cold read (median): fastiofs $(m "${CPU_FS[@]}") + emulator $(m "${CPU_EMU_FS[@]}");"
echo "    during one curl download: curl $(m "${CPU_CURL[@]}") + emulator $(m "${CPU_EMU_CURL[@]}")"
echo "  all rounds (s): cold ${COLD[*]} | curl ${CURL_NULL[*]} | curl -o ${CURL_FILE[*]} | warm ${WARM[*]} | passthrough ${PT[*]}"
