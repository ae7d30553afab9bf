#!/usr/bin/env bash
# Makes sure rsync is installed (the restore module and its tests need it): installs it with apt-get when
# missing and running as root; otherwise stops with what to do.
set -euo pipefail
if command -v rsync >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "rsync is missing: installing it with apt-get" >&2
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y rsync >/dev/null
  command -v rsync >/dev/null 2>&1 && exit 0
fi
echo "rsync is not installed and could not be installed here (needs root and apt-get)." >&2
echo "Install it first, e.g. 'sudo apt-get install rsync' or 'sudo dnf install rsync', then run again." >&2
exit 1
