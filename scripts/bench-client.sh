#!/usr/bin/env bash
# Client throughput against one local emulator, side by side with curl:
#   get: `fastiofs get` of a 1 GiB file vs `curl` of the same /read/ URL (target >= 0.9x rate)
#   put: `fastiofs put` of the same file vs a plain chunked upload done with curl, 3 chunks in
#        parallel with the same chunk size, until the session is stored (target <= 1.2x time)
#   SIZE_MIB=1024 scripts/bench-client.sh
set -euo pipefail
source "$(dirname "$0")/client-lib.sh"

SIZE_MIB=${SIZE_MIB:-1024}
CHUNK_MIB=${CHUNK_MIB:-16}  # what fastiofs picks for this size against the emulator's limits
client_build
client_start_emulator bench-space --threads 16
hdr="$WORK/auth-header"  # curl reads the token from a file, never from argv
printf 'Authorization: Bearer %s\n' "$EMU_TOKEN" >"$hdr"
chmod 600 "$hdr"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
TIME=()
[ -x /usr/bin/time ] && TIME=(/usr/bin/time -f "%M" -o "$WORK/rss")
rss() { [ -f "$WORK/rss" ] && echo "$(($(tail -1 "$WORK/rss") / 1024)) MiB" || echo "n/a"; }

echo "bench: generating $SIZE_MIB MiB"
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom >"$WORK/big.bin"
mkdir -p "$WORK/parts"
split -b "${CHUNK_MIB}M" -d -a 4 "$WORK/big.bin" "$WORK/parts/p"
sync

ws_id=$(curl -sf -H @"$hdr" "$API/workspaces/all/" | python3 -c '
import json, sys
d = json.load(sys.stdin); d = d.get("response", d)
print(next(w["id"] for w in d["workspaces"] if w["folder_name"] == "bench-space"))')

# --- put ---
t0=$(now)
out=$("${TIME[@]}" "$FASTIOFS" put "$WORK/big.bin" bench-space/big.bin)
t1=$(now)
put_s=$(elapsed "$t0" "$t1")
put_rss=$(rss)
node_id=$(echo "$out" | sed -n 's/.*, id \([^,]*\),.*/\1/p')

t0=$(now)
sid=$(curl -sf -H @"$hdr" -d name=curl.bin -d size=$((SIZE_MIB * 1024 * 1024)) -d action=create \
  -d instance_id="$ws_id" -d folder_id=root -d profile_type=workspace "$API/upload/" |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("response", d)["id"])')
upload_part() {  # upload_part FILE ORDER
  curl -sf -H @"$hdr" -F "chunk=@$WORK/parts/$1;filename=$1" \
    "$API/upload/$sid/chunk/?order=$2&size=$(stat -c %s "$WORK/parts/$1")" >/dev/null ||
    echo "chunk $2" >>"$WORK/curl-failures"
}
order=0
pids=()
for part in $(ls "$WORK/parts"); do
  order=$((order + 1))
  upload_part "$part" "$order" &
  pids+=($!)
  if [ ${#pids[@]} -ge 3 ]; then  # at most 3 in flight: wait for the oldest
    wait "${pids[0]}" || true
    pids=("${pids[@]:1}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || true; done
[ -f "$WORK/curl-failures" ] && { echo "bench: curl upload failed: $(cat "$WORK/curl-failures")"; exit 1; }
curl -sf -H @"$hdr" -X POST "$API/upload/$sid/complete/" >/dev/null
while :; do
  status=$(curl -sf -H @"$hdr" "$API/upload/$sid/details/?wait=20" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("response", d); print(d["session"]["status"])')
  case $status in
    stored) break ;;
    assembly_failed | store_failed) echo "bench: curl upload ended $status"; exit 1 ;;
  esac
done
t1=$(now)
curl_put_s=$(elapsed "$t0" "$t1")

# --- get ---
sync
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
t0=$(now)
"${TIME[@]}" "$FASTIOFS" get bench-space/big.bin "$WORK/got.bin"
t1=$(now)
get_s=$(elapsed "$t0" "$t1")
get_rss=$(rss)
cmp -s "$WORK/big.bin" "$WORK/got.bin" || { echo "bench: downloaded file differs"; exit 1; }
rm -f "$WORK/got.bin"
sync
echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
t0=$(now)
curl -sf -H @"$hdr" "$API/workspace/$ws_id/storage/$node_id/read/" -o "$WORK/curl.bin"
t1=$(now)
curl_get_s=$(elapsed "$t0" "$t1")
cmp -s "$WORK/big.bin" "$WORK/curl.bin" || { echo "bench: curl download differs"; exit 1; }

awk -v n="$SIZE_MIB" -v pg="$get_s" -v cg="$curl_get_s" -v pp="$put_s" -v cp="$curl_put_s" \
  -v gr="$get_rss" -v pr="$put_rss" -v ch="$CHUNK_MIB" 'BEGIN {
  printf "bench: %d MiB against one local emulator\n", n
  printf "  get  fastiofs %6.2f s (%7.1f MiB/s, peak RSS %s)   curl %6.2f s (%7.1f MiB/s)   rate ratio %.2f (target >= 0.9)\n", pg, n / pg, gr, cg, n / cg, cg / pg
  printf "  put  fastiofs %6.2f s (%7.1f MiB/s, peak RSS %s)   curl 3x%d MiB chunks %6.2f s   time ratio %.2f (target <= 1.2)\n", pp, n / pp, pr, ch, cp, pp / cp
}'
