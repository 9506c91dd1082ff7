#!/usr/bin/env bash
# Installs what the browser tests drive: Debian's chromium, and the npm tools in tests/browser (axe-core,
# lighthouse). Safe to run again; it installs only what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if [ ! -x /usr/bin/chromium ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ -f "$here/browser/package-lock.json" ] && [ ! -d "$here/browser/node_modules" ]; then
  npm ci --prefix "$here/browser" --no-audit --no-fund --loglevel=error
fi
