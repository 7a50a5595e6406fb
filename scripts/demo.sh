#!/usr/bin/env bash
# The main job: install what is missing, build, start fastio-emulator with the sample workspace,
# mount it with fastiofs, show a listing and a .search query. Everything stays running so you can
# explore the mount; `bash scripts/demo.sh --stop` unmounts and stops the emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DEMO=${FASTIO_DEMO_DIR:-/tmp/fastiofs-demo}
BUILD=$ROOT/build/demo
MNT=$DEMO/mnt
TOKEN=demo-token-$(id -u)

stop() {
  if mountpoint -q "$MNT" 2>/dev/null; then
    "$BUILD/fs/cli/fastiofs" unmount "$MNT" --timeout 30 2>/dev/null || fusermount3 -u -z "$MNT" || true
  fi
  if [ -f "$DEMO/emulator.pid" ]; then
    kill "$(cat "$DEMO/emulator.pid")" 2>/dev/null || true
    rm -f "$DEMO/emulator.pid"
  fi
}

if [ "${1:-}" = "--stop" ]; then
  stop
  echo "demo stopped"
  exit 0
fi

bash scripts/setup.sh
echo "== building (release) into $BUILD"
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFASTIO_BUILD_TESTS=OFF \
  -DFASTIO_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$BUILD" --target fastio-emulator fastiofs -j "$(nproc)"

stop  # a previous demo, if any
mkdir -p "$DEMO" "$MNT"
chmod 700 "$DEMO"

echo "== starting fastio-emulator with the sample workspace"
"$BUILD/emulator/fastio-emulator" --data "$DEMO/emulator-data" --listen 127.0.0.1:0 \
  --token "$TOKEN" --seed "$ROOT/scripts/sample-workspace" --ai-delay-ms 200 \
  >"$DEMO/emulator.log" 2>&1 &
echo $! >"$DEMO/emulator.pid"
for _ in $(seq 1 100); do
  PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$DEMO/emulator.log" | head -n 1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "${PORT:-}" ] || { echo "emulator did not start; see $DEMO/emulator.log" >&2; exit 1; }
API=http://127.0.0.1:$PORT/current
echo "emulator: $API (log: $DEMO/emulator.log)"

api() { curl -sS -H "Authorization: Bearer $TOKEN" "$API$1"; echo; }
echo "== a few API calls"
echo "\$ GET /workspaces/all/"; api /workspaces/all/ | head -c 600; echo
WS=$(ls "$ROOT/scripts/sample-workspace" | head -n 1)
echo "\$ GET /workspace/$WS/storage/root/list/"; api "/workspace/$WS/storage/root/list/?page_size=100&output=terse" | head -c 800; echo

# The sample files are indexed shortly after the seed; wait until search sees them.
QUERY="quarterly revenue"
for _ in $(seq 1 50); do
  hits=$(curl -sS -G -H "Authorization: Bearer $TOKEN" --data-urlencode "search=$QUERY" \
    "$API/workspace/$WS/storage/search/" | grep -c '"relevance_score"' || true)
  [ "$hits" -gt 0 ] && break
  sleep 0.2
done

echo "== mounting at $MNT"
umask 077
printf '%s' "$TOKEN" >"$DEMO/token"
"$BUILD/fs/cli/fastiofs" mount "$MNT" --api-url "$API" --token-file "$DEMO/token" \
  --cache-dir "$DEMO/cache"
echo "\$ ls -l $MNT"; ls -l "$MNT"
echo "\$ ls -lR $MNT/$WS"; ls -lR "$MNT/$WS"
echo "\$ cat \"$MNT/$WS/.search/$QUERY/results.txt\""; cat "$MNT/$WS/.search/$QUERY/results.txt"
echo "\$ ls -l \"$MNT/$WS/.search/$QUERY/\""; ls -l "$MNT/$WS/.search/$QUERY/"
echo "== writing: a new file is visible at once, then uploaded"
NOTE="$MNT/$WS/notes-$(date +%H%M%S).txt"
echo "\$ echo 'Written through the mount.' > $NOTE"; echo "Written through the mount." >"$NOTE"
echo "\$ getfattr -n user.fastio.sync $NOTE"; getfattr -n user.fastio.sync "$NOTE" 2>/dev/null | sed -n 2p
echo "\$ fastiofs sync $MNT"; "$BUILD/fs/cli/fastiofs" sync "$MNT"
echo "\$ getfattr -n user.fastio.sync $NOTE"; getfattr -n user.fastio.sync "$NOTE" 2>/dev/null | sed -n 2p
echo "\$ GET /workspace/$WS/storage/root/list/ (the server has it)"
api "/workspace/$WS/storage/root/list/?page_size=100&output=terse" | grep -o '"name":"notes-[^"]*"' || true
echo "\$ cat $MNT/.fastio/status"; cat "$MNT/.fastio/status"
echo
echo "The mount stays up: try ls, cat, grep -r, cp, an editor, git, or"
echo "  cat \"$MNT/$WS/.ask/What is the onboarding checklist?\""
echo "Stop it with: bash scripts/demo.sh --stop"
