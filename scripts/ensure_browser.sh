#!/usr/bin/env bash
# The browser tests drive Debian's Chromium; Chinese needs the Noto CJK fonts.
# Installs both when missing and we may (root with apt-get); otherwise says what to do.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list : family 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the browser tests …"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Browser tests need: ${missing[*]} (sudo apt-get install ${missing[*]}); they will be skipped."
fi
