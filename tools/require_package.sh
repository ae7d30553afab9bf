#!/usr/bin/env bash
# tools/require_package.sh COMMAND PACKAGE WHY: makes sure COMMAND is installed; installs Debian's PACKAGE with
# apt-get when it is missing and this runs as root; otherwise stops with what to do (a test never skips for it).
set -euo pipefail
command=$1; package=$2; why=$3
if command -v "$command" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "$command is missing ($why): installing $package with apt-get" >&2
  apt-get update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$package" >/dev/null
  command -v "$command" >/dev/null 2>&1 && exit 0
fi
echo "$command is not installed and could not be installed here (needs root and apt-get); $why." >&2
echo "Install it first, e.g. 'sudo apt-get install $package' or 'sudo dnf install $package', then run again." >&2
exit 1
