#!/usr/bin/env bash
# Fault soak for the client: an emulator answering 20 % of API requests with 503, closing 5 %
# without a response, and rate limiting (429 with x-ve-limit-* and Retry-After). `fastiofs put`
# and `fastiofs get` move 200 files (0 B to 64 MiB, including 4 MiB - 1, 4 MiB and 4 MiB + 1)
# up and back; every file must come back byte-identical and no command may fail.
#   FILES=200 PARALLEL=4 RATE=40 scripts/client-fault-soak.sh
set -euo pipefail
source "$(dirname "$0")/client-lib.sh"

FILES=${FILES:-200}
PARALLEL=${PARALLEL:-4}
RATE=${RATE:-40}
MiB=$((1024 * 1024))

client_build
client_start_emulator soak-space
mkdir -p "$WORK/up" "$WORK/down"

# Sizes: the edges first, then a spread that stays mostly small so the run takes minutes.
sizes=(0 1 4095 $((4 * MiB - 1)) $((4 * MiB)) $((4 * MiB + 1)) $((64 * MiB)) $((17 * MiB + 3)))
RANDOM=42
while [ ${#sizes[@]} -lt "$FILES" ]; do
  case $((RANDOM % 10)) in
    0 | 1 | 2) sizes+=($((RANDOM % 4096))) ;;
    3 | 4 | 5 | 6) sizes+=($((RANDOM * 32 % MiB))) ;;
    7 | 8) sizes+=($((MiB + RANDOM * 200))) ;;
    9) sizes+=($((4 * MiB + RANDOM * 300))) ;;
  esac
done
total=0
for i in $(seq 0 $((FILES - 1))); do
  head -c "${sizes[$i]}" /dev/urandom >"$WORK/up/file-$i.bin"
  total=$((total + sizes[$i]))
done
echo "soak: $FILES files, $((total / MiB)) MiB, $PARALLEL at a time, against $API"

client_faults "{\"error_rate\":0.2,\"reset_rate\":0.05,\"rate_limit_per_sec\":$RATE}"
echo "soak: faults on: $(curl -s "http://127.0.0.1:$PORT/_emulator/faults")"

export FASTIOFS WORK
run_one() {  # run_one put|get INDEX
  local i=$2 log="$WORK/$1-$2.log"
  if [ "$1" = put ]; then
    "$FASTIOFS" --log-level debug put "$WORK/up/file-$i.bin" "soak-space/file-$i.bin" >/dev/null 2>"$log" ||
      { echo "FAILED: put file-$i.bin: $(grep -v '\[debug\]' "$log" | tail -1)"; return 1; }
  else
    "$FASTIOFS" --log-level debug get "soak-space/file-$i.bin" "$WORK/down/file-$i.bin" >/dev/null 2>"$log" ||
      { echo "FAILED: get file-$i.bin: $(grep -v '\[debug\]' "$log" | tail -1)"; return 1; }
  fi
}
export -f run_one

start=$(date +%s.%N)
put_failed=0
seq 0 $((FILES - 1)) | xargs -P "$PARALLEL" -I{} bash -c 'run_one put {}' || put_failed=1
mid=$(date +%s.%N)
get_failed=0
seq 0 $((FILES - 1)) | xargs -P "$PARALLEL" -I{} bash -c 'run_one get {}' || get_failed=1
end=$(date +%s.%N)

mismatch=0
for i in $(seq 0 $((FILES - 1))); do
  if ! cmp -s "$WORK/up/file-$i.bin" "$WORK/down/file-$i.bin"; then
    echo "MISMATCH: file-$i.bin (${sizes[$i]} bytes)"
    mismatch=$((mismatch + 1))
  fi
done
retries=$(cat "$WORK"/put-*.log "$WORK"/get-*.log | grep -c "retrying" || true)
rate_limited=$(cat "$WORK"/put-*.log "$WORK"/get-*.log | grep -c "retrying.*rate_limited" || true)
awk -v s="$start" -v m="$mid" -v e="$end" -v r="$retries" -v l="$rate_limited" -v x="$mismatch" \
  'BEGIN { printf "soak: put %.1f s, get %.1f s, %d retries (%d after 429), %d mismatches\n", m - s, e - m, r, l, x }'
if [ "$put_failed" -ne 0 ] || [ "$get_failed" -ne 0 ] || [ "$mismatch" -ne 0 ]; then
  echo "soak: FAILED"
  exit 1
fi
echo "soak: PASSED ($FILES files byte-identical, no command failed)"
