#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver (/usr/bin/chromium and
# /usr/bin/chromedriver), which internal/browser drives for end-to-end tests,
# when they are missing. Non-interactive: as root it runs apt-get directly,
# otherwise through `sudo -n` (never prompts). Safe to run repeatedly.
#
#   bash internal/browser/install.sh
set -euo pipefail

PACKAGES=(chromium chromium-driver)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ] && [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
if [ ${#missing[@]} -eq 0 ]; then
  missing=("${PACKAGES[@]}")
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo -n)
fi
echo "internal/browser/install.sh: installing ${missing[*]}" >&2
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

for bin in /usr/bin/chromium /usr/bin/chromedriver; do
  if [ ! -x "$bin" ]; then
    echo "internal/browser/install.sh: $bin is still missing after installing ${missing[*]}" >&2
    exit 1
  fi
done
