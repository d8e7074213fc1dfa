#!/usr/bin/env bash
# The benchmark's own environments: nginx with the echo module (for added latency),
# a venv with the peers from PyPI, and a venv with syndicator installed from this
# checkout the way a user installs it (``pip install .``, not the repo's editable
# install, whose import hook costs every round ~30 ms that no user pays). The
# syndicator venv is refreshed from the checkout on every call.
# Usage: bash bench/setup_venv.sh [VENV]  -> prints VENV (peers); syndicator is VENV-syndicator
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-${BENCH_VENV:-/tmp/syndicator-bench-venv}}
if ! command -v nginx >/dev/null || [ ! -e /usr/lib/nginx/modules/ngx_http_echo_module.so ]; then
  apt-get update -qq && apt-get install -y -qq nginx-light libnginx-mod-http-echo >/dev/null
fi
if [ ! -x "$VENV/bin/feed2toot" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q feedparser==6.0.14 requests feed2exec==0.23.0 feed2toot==0.17
fi
SYN="$VENV-syndicator"
if [ ! -x "$SYN/bin/syndicator" ]; then
  python3 -m venv "$SYN"
  "$SYN/bin/pip" install -q . >&2
fi
"$SYN/bin/pip" install -q --no-deps --force-reinstall . >&2  # this checkout's code
echo "$VENV"
