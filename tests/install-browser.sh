#!/usr/bin/env bash
# Installs what the browser and HTML-validation tests drive: Debian's chromium, a Java runtime for the
# Nu Html Checker, and the npm tools of tests/browser and tests/validate. Installs only what is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null || missing+=(default-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for tools in "$here/browser" "$here/validate"; do
  if [ -f "$tools/package-lock.json" ] && [ ! -d "$tools/node_modules" ]; then
    # npm install (not ci): npm 11 ci rejects lighthouse's lock entries (third-party-web); the lock still pins versions
    npm install --prefix "$tools" --no-audit --no-fund --loglevel=error
  fi
done
