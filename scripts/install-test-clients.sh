#!/usr/bin/env bash
# Installs the real clients the end-to-end tests drive: Chromium (via playwright-core), lynx, wget, curl,
# python-requests, Scrapy, HTTrack, two feed readers (feedparser, newsboat) and wrk for `npm run bench`. Debian packages;
# needs root (as on CI) or sudo. Skips what is already there.
set -euo pipefail
PACKAGES=(chromium lynx wget curl python3-requests python3-scrapy python3-feedparser newsboat httrack wrk)
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
