#!/usr/bin/env bash
# Every benchmark of bench/README.md, in order, one at a time (the harness runs
# take ~20 min on 2 cores). Results: tables on stdout, Markdown + JSON in $OUT.
#   bash bench/run_all.sh            # everything
#   bash bench/run_all.sh quick      # N=30 smoke test of the harness
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=$(bash bench/setup_venv.sh)
SYN="$VENV-syndicator/bin/syndicator"  # installed from this checkout by setup_venv.sh
OUT=${OUT:-/tmp/syndicator-bench-results}
mkdir -p "$OUT"
PEERS=syndicator,feedparser-seq,feedparser-seq-cond,feedparser-8thr-cond,feed2exec-seq,feed2exec-par,feed2toot-populate
if [ "${1:-all}" = quick ]; then
  "$VENV/bin/python" bench/harness.py --n 30 --tools "$PEERS" --syndicator "$SYN" --workdir /tmp/syndicator-bench-quick
  exit 0
fi
uptime
"$VENV/bin/python" bench/harness.py --n 1000 --latency-ms 0 --tools "$PEERS" --syndicator "$SYN" \
  --workdir /tmp/syndicator-bench-n1000 --json-out "$OUT/n1000-0ms.json" --md-out "$OUT/n1000-0ms.md"
"$VENV/bin/python" bench/harness.py --n 200 --latency-ms 50 --tools "$PEERS" --syndicator "$SYN" --concurrency 200 --per-host 200 \
  --workdir /tmp/syndicator-bench-n200 --json-out "$OUT/n200-50ms.json" --md-out "$OUT/n200-50ms.md"
.venv/bin/python bench/startup.py
.venv/bin/python bench/idle_memory.py --n 1000
.venv/bin/python bench/micro_text.py
uptime
