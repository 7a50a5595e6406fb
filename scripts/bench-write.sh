#!/usr/bin/env bash
# Write-path benchmark of a real mount, side by side in one run on this machine (PRODUCT.md §5).
# RUNS rounds; each round measures a reference and fastiofs back to back, and the ratios
# reported are medians of the per-round ratios:
#   1. sequential write of a SIZE_MIB file + close: fastiofs vs libfuse's passthrough_ll over
#      local disk (both read the same source file from the page cache);
#   2. from that close until the server has stored the file (`fastiofs sync`, which skips the
#      idle delay) vs a plain chunked upload of the same bytes with curl (16 MiB chunks, 3 in
#      flight, then complete and wait for `stored`);
#   3. creating SMALL_FILES small files (a shell loop of `printf > file`): fastiofs vs the
#      passthrough;
#   4. from the end of those creates until all are stored vs a sequential curl loop uploading
#      the same files (one single-call upload each).
# Usage: scripts/bench-write.sh [BUILD_DIR]   (default build/bench; needs root for drop_caches)
# SIZE_MIB=1024 SMALL_FILES=10000 RUNS=3 LATENCY_MS=0 can be changed (LATENCY_MS: the
# emulator adds that much to every request, as a real network would).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build/bench}
SIZE_MIB=${SIZE_MIB:-1024}
SMALL_FILES=${SMALL_FILES:-10000}
RUNS=${RUNS:-3}
LATENCY_MS=${LATENCY_MS:-0}
CHUNK=$((16 * 1024 * 1024))

source scripts/bench-lib.sh
bench_build
WORK=$(mktemp -d /tmp/fastiofs-bench.XXXXXX)
trap bench_cleanup EXIT
mkdir -p "$WORK/seed/bench-space" "$WORK/mnt" "$WORK/ptsrc" "$WORK/cache" "$WORK/small"
echo "placeholder" >"$WORK/seed/bench-space/README"
CACHE_SIZE="$((SIZE_MIB * 4 + 1024))M"

echo "== preparing a ${SIZE_MIB} MiB source file and ${SMALL_FILES} small files"
head -c "$((SIZE_MIB * 1024 * 1024))" /dev/urandom >"$WORK/src.bin"
python3 - "$WORK/small" "$SMALL_FILES" <<'EOF'
import os, sys
root, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    with open(os.path.join(root, f"f{i:05d}"), "w") as f:
        f.write(f"small file {i}\n")
EOF

echo "== starting the emulator"
bench_start_emulator "$WORK/seed"
WS=$(bench_workspace_id bench-space)
if [ "$LATENCY_MS" != 0 ]; then
  curl -s -X POST "http://127.0.0.1:$PORT/_emulator/faults" -H 'Content-Type: application/json' \
    -d "{\"latency_ms\": $LATENCY_MS}" >/dev/null
fi
bench_passthrough "$WORK/ptsrc"

auth=(-H "Authorization: Bearer $TOKEN")
# A plain chunked upload with curl: session, 3 chunks in flight, complete, wait for stored.
curl_chunked() {
  local file=$1 name=$2 size id
  size=$(stat -c %s "$file")
  id=$(curl -s "${auth[@]}" -X POST "$API/upload/" --data-urlencode "name=$name" \
    -d "size=$size&action=create&instance_id=$WS&folder_id=root&profile_type=workspace" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("response",d); print(d["id"])')
  local chunks=$(((size + CHUNK - 1) / CHUNK))
  rm -rf "$WORK/parts" && mkdir -p "$WORK/parts"
  split -b "$CHUNK" -d -a 4 "$file" "$WORK/parts/p"
  seq 1 "$chunks" | xargs -P 3 -I{} sh -c '
    part=$(printf "%s/parts/p%04d" "$1" $(({} - 1)))
    curl -s -o /dev/null -f -H "Authorization: Bearer $2" -X POST \
      "$3/upload/$4/chunk/?order={}&size=$(stat -c %s "$part")" -F "chunk=@$part"' \
    _ "$WORK" "$TOKEN" "$API" "$id"
  curl -s -o /dev/null "${auth[@]}" -X POST "$API/upload/$id/complete/" -d ""
  for _ in $(seq 1 6000); do
    curl -s "${auth[@]}" "$API/upload/$id/details/" | grep -q '"stored"' && return 0
    sleep 0.05
  done
  echo "curl upload not stored" >&2
  return 1
}
curl_loop() {
  local dir=$1 prefix=$2 f
  for f in "$dir"/*; do
    curl -s -o /dev/null -f "${auth[@]}" -X POST "$API/upload/" -F "name=$prefix$(basename "$f")" \
      -F "size=$(stat -c %s "$f")" -F action=create -F "instance_id=$WS" -F folder_id=root \
      -F profile_type=workspace -F "chunk=@$f"
  done
}
create_small() {  # create_small DIR: one printf > file per file, as a tool writing many files
  local dir=$1 i
  mkdir -p "$dir"
  for ((i = 0; i < SMALL_FILES; i++)); do printf 'small file %d\n' "$i" >"$dir/f$i"; done
}

declare -a W_FS W_PT S_FS S_CURL C_FS C_PT U_FS U_CURL R_W R_S R_C R_U CPU_W
for i in $(seq 1 "$RUNS"); do
  echo "== round $i of $RUNS"
  mountpoint -q "$WORK/mnt" && unmount_fastiofs
  rm -rf "$WORK/cache"
  mount_fastiofs "upload_delay=2"
  cat "$WORK/src.bin" >/dev/null  # the source in the page cache for both writers
  # Each writer starts with no dirty pages of the other's (or of the source's) to be throttled by.
  sync
  pt=$(timed dd if="$WORK/src.bin" of="$WORK/pt/big$i.bin" bs=1M status=none)
  sync
  pid=$(daemon_pid)
  c0=$(cpu "$pid")
  fsw=$(timed dd if="$WORK/src.bin" of="$WORK/mnt/bench-space/big$i.bin" bs=1M status=none)
  CPU_W+=("$(python3 -c "print($(cpu "$pid")-$c0)")")
  stored=$(timed "$FASTIOFS" sync "$WORK/mnt" --timeout 3600)
  curl_s=$(timed curl_chunked "$WORK/src.bin" "curl-big$i.bin")
  W_FS+=("$fsw"); W_PT+=("$pt"); S_FS+=("$stored"); S_CURL+=("$curl_s")
  R_W+=("$(ratio "$pt" "$fsw")"); R_S+=("$(ratio "$stored" "$curl_s")")
  rm -f "$WORK/pt/big$i.bin"

  cpt=$(timed create_small "$WORK/pt/small$i")
  cfs=$(timed create_small "$WORK/mnt/bench-space/small$i")
  ufs=$(timed "$FASTIOFS" sync "$WORK/mnt" --timeout 3600)
  ucurl=$(timed curl_loop "$WORK/small" "curl$i-")
  C_FS+=("$cfs"); C_PT+=("$cpt"); U_FS+=("$ufs"); U_CURL+=("$ucurl")
  R_C+=("$(ratio "$cpt" "$cfs")"); R_U+=("$(ratio "$ufs" "$ucurl")")
  rm -rf "$WORK/pt/small$i"
  if [ "$i" = 1 ]; then
    # Stored byte for byte: a fresh mount with an empty cache reads it back.
    unmount_fastiofs
    rm -rf "$WORK/cache"
    mount_fastiofs
    cmp "$WORK/mnt/bench-space/big1.bin" "$WORK/src.bin"
    [ "$(ls "$WORK/mnt/bench-space/small1" | wc -l)" = "$SMALL_FILES" ]
  fi
done
unmount_fastiofs

m() { median "$@"; }
mbps() { python3 -c "print(f'{$SIZE_MIB/$1:.1f}')"; }
rate() { python3 -c "print(f'{$SMALL_FILES/$1:.0f}')"; }
echo
echo "results: $RUNS rounds (${SIZE_MIB} MiB file, ${SMALL_FILES} small files, $(nproc) cores, ${LATENCY_MS} ms added per request)"
echo "  medians; ratio = median of the per-round ratios (their range in brackets)"
printf '  write + close    fastiofs %8s MiB/s   passthrough %8s MiB/s   ratio %s [%s] (target >= 0.8)\n' \
  "$(mbps "$(m "${W_FS[@]}")")" "$(mbps "$(m "${W_PT[@]}")")" "$(m "${R_W[@]}")" "$(span "${R_W[@]}")"
printf '  close -> stored  fastiofs %8s s       curl chunked %7s s       time ratio %s [%s] (target <= 1.1)\n' \
  "$(m "${S_FS[@]}")" "$(m "${S_CURL[@]}")" "$(m "${R_S[@]}")" "$(span "${R_S[@]}")"
printf '  small creates    fastiofs %8s /s      passthrough %8s /s      ratio %s [%s] (target >= 0.5)\n' \
  "$(rate "$(m "${C_FS[@]}")")" "$(rate "$(m "${C_PT[@]}")")" "$(m "${R_C[@]}")" "$(span "${R_C[@]}")"
printf '  small -> stored  fastiofs %8s s       curl loop %10s s       time ratio %s [%s] (target <= 1.0)\n' \
  "$(m "${U_FS[@]}")" "$(m "${U_CURL[@]}")" "$(m "${R_U[@]}")" "$(span "${R_U[@]}")"
echo "  daemon CPU seconds per write of the big file (median): $(m "${CPU_W[@]}")"
echo "  all rounds (s): write ${W_FS[*]} | passthrough ${W_PT[*]} | stored ${S_FS[*]} | curl ${S_CURL[*]}"
echo "                  creates ${C_FS[*]} | passthrough ${C_PT[*]} | stored ${U_FS[*]} | curl loop ${U_CURL[*]}"
