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

source scripts/bench-lib.sh
bench_build
WORK=$(mktemp -d /tmp/fastiofs-bench.XXXXXX)
trap bench_cleanup EXIT
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

echo "== starting the emulator (seeding takes a while)"
bench_start_emulator "$WORK/seed"
WS=$(bench_workspace_id bench-space)
NODE=$(curl -s -H "Authorization: Bearer $TOKEN" "$API/workspace/$WS/storage/root/list/?page_size=500" |
  python3 -c '
import json,sys
d=json.load(sys.stdin); d=d.get("response",d)
n=d["nodes"]; n=n.get("items",n) if isinstance(n,dict) else n
print([x["id"] for x in n if x["name"]=="big.bin"][0])')
URL="$API/workspace/$WS/storage/$NODE/read/"

mbps() { python3 -c "print(f'{$SIZE_MIB/$1:.1f}')"; }
CACHE_SIZE="$((SIZE_MIB * 2 + 512))M"

declare -a CURL_NULL CURL_FILE COLD WARM PT LS_FS LS_PT CPU_FS CPU_EMU_FS CPU_EMU_CURL CPU_CURL
declare -a GREP_FS_COLD GREP_FS_WARM GREP_PT_COLD GREP_PT_WARM
declare -a R_COLD_NULL R_COLD_FILE R_WARM R_LS R_GREP_COLD R_GREP_WARM

bench_passthrough "$WORK/seed"
BIG_FS="$WORK/mnt/bench-space/big.bin"
BIG_PT="$WORK/pt/bench-space/big.bin"

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
