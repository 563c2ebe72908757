#!/usr/bin/env bash
# Install the Debian packages the test suite needs (Chromium for browser tests) when missing.
# Runs as root on CI and on the team's machines; elsewhere it only says what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-noto-cjk >/dev/null
else
  echo "warning: missing ${need[*]}; browser tests will be skipped" >&2
fi
