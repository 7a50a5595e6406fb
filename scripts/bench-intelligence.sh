#!/usr/bin/env bash
# Measures the emulator's intelligence: how long ingestion of a seeded workspace takes, search
# latency (percentiles over many queries) and the agent's time from question to answer.
# Usage: scripts/bench-intelligence.sh [FILES] [BUILD_DIR]   (defaults: 2000 build/ci)
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-2000}
BUILD=${2:-build/ci}
EMULATOR="$BUILD/emulator/fastio-emulator"
[ -x "$EMULATOR" ] || { echo "bench-intelligence: build $EMULATOR first" >&2; exit 1; }

WORK=$(mktemp -d)
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

python3 - "$WORK/seed/bench-space" "$FILES" <<'PY'
import os, random, sys
root, count = sys.argv[1], int(sys.argv[2])
random.seed(7)
vocab = ["w%04d" % i for i in range(5000)]
weights = [1.0 / (i + 1) for i in range(len(vocab))]  # Zipf-like word frequencies
for folder in range(max(1, count // 500)):
    os.makedirs(os.path.join(root, "f%02d" % folder), exist_ok=True)
for i in range(count):
    words = random.choices(vocab, weights, k=300)
    text = "corpus document %d. " % i + " ".join(words)
    with open(os.path.join(root, "f%02d" % (i % max(1, count // 500)), "doc%05d.txt" % i), "w") as f:
        f.write(text)
PY
echo "corpus: $FILES text files, $(du -sh "$WORK/seed" | cut -f1)"

TOKEN=bench-token
START=$(date +%s.%N)
"$EMULATOR" --data "$WORK/data" --listen 127.0.0.1:0 --token "$TOKEN" --seed "$WORK/seed" \
  --ai-delay-ms 0 >"$WORK/out" 2>"$WORK/log" &
PID=$!
for _ in $(seq 1 600); do grep -q "listening on" "$WORK/out" && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/out")
[ -n "$PORT" ] || { cat "$WORK/log" >&2; exit 1; }

python3 - "$PORT" "$TOKEN" "$FILES" "$START" <<'PY'
import json, random, statistics, sys, time, urllib.parse, urllib.request
port, token, files, start = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
base = "http://127.0.0.1:%d/current/workspace/bench-space" % port

def call(path, data=None):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token},
                                 data=urllib.parse.urlencode(data).encode() if data else None)
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())

def search(q, extra=""):
    return call("/storage/search/?search=" + urllib.parse.quote(q) + extra)

while True:  # every file indexed = the common word finds all of them
    total = search("corpus", "&search_in=content&limit=1")["pagination"]["total"]
    if total >= files:
        break
    time.sleep(0.2)
ready = time.time() - start
print("ingestion: %d files seeded and indexed in %.1f s (%.0f files/s, seeding included)"
      % (files, ready, files / ready))

random.seed(11)
lat = []
for _ in range(200):
    q = "w%04d w%04d" % (random.randint(0, 300), random.randint(0, 3000))
    t = time.perf_counter()
    search(q, "&output=standard")
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
print("search (both legs, standard snippets, limit 100): p50 %.1f ms, p95 %.1f ms, max %.1f ms"
      % (statistics.median(lat), lat[int(len(lat) * 0.95)], lat[-1]))

lat = []
for _ in range(20):
    t = time.perf_counter()
    made = call("/ai/agent/", {"question": "w%04d and w%04d" % (random.randint(0, 300),
                                                                  random.randint(0, 3000))})
    chat, turn = made["thread"]["thread_id"], made["turn"]["turn_id"]
    while call("/ai/agent/%s/message/%s/details/" % (chat, turn))["message"]["status"] in (
            "pending", "running"):
        time.sleep(0.01)
    lat.append((time.perf_counter() - t) * 1000)
lat.sort()
print("agent turn, question to answer (--ai-delay-ms 0, polled every 10 ms): p50 %.1f ms, max %.1f ms"
      % (statistics.median(lat), lat[-1]))
PY
echo "resident memory of the emulator: $(ps -o rss= -p "$PID" | awk '{printf "%.0f MB", $1/1024}')"
