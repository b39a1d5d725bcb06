#!/usr/bin/env bash
# Installs the real clients the tests drive, from Debian's packages: Chromium (driven by playwright-core), lynx,
# wget, curl, python-requests, Scrapy, HTTrack, two feed readers (feedparser, newsboat), and wrk for the benchmarks.
# Runs before `npm test` (all of them) and `npm run bench` (`wrk` only: pass package names to check just those).
# Skips what is already there. Installs as root, or with sudo when it needs no password; otherwise it stops at
# once and prints the exact command to run.
set -euo pipefail
if [ "$#" -gt 0 ]; then
  PACKAGES=("$@")
else
  PACKAGES=(chromium lynx wget curl python3-requests python3-scrapy python3-feedparser newsboat httrack wrk)
fi
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "The tests drive real clients that are missing here: ${missing[*]}" >&2
  echo "Install them (Debian/Ubuntu), then run the command again:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "The tests drive real clients that are missing here: ${missing[*]} (Debian package names); install them with your system's package manager." >&2
  exit 1
fi
echo "Installing the test clients: ${missing[*]}" >&2
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
