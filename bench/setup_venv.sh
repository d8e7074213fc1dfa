#!/usr/bin/env bash
# The benchmark's own environment: nginx with the echo module (for added latency)
# and a venv with the peers from PyPI. Syndicator itself runs from the repo's
# .venv (pip install -e '.[test]'). Usage: bash bench/setup_venv.sh [VENV]
set -euo pipefail
VENV=${1:-${BENCH_VENV:-/tmp/syndicator-bench-venv}}
if ! command -v nginx >/dev/null || [ ! -e /usr/lib/nginx/modules/ngx_http_echo_module.so ]; then
  apt-get update -qq && apt-get install -y -qq nginx-light libnginx-mod-http-echo >/dev/null
fi
if [ ! -x "$VENV/bin/feed2toot" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q feedparser==6.0.14 requests feed2exec==0.23.0 feed2toot==0.17
fi
echo "$VENV"
