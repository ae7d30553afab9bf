#!/usr/bin/env bash
# Lays the collection out under $NASHA_BUILD_DIR (default .build)/ansible_collections/snapkeep/nasha, the path ansible-test needs,
# from the files git tracks plus the untracked ones it does not ignore (no virtualenv, no test output).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# NASHA_BUILD_DIR lets several trees live side by side (default: .build in the checkout).
dest="${NASHA_BUILD_DIR:-$root/.build}/ansible_collections/snapkeep/nasha"
mkdir -p "$dest"
# keep ansible-test's own output between runs, replace everything else
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests ! -name .git -exec rm -rf {} +
if [ -d "$dest/tests" ]; then
  find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} +
fi
cd "$root"
git ls-files -co --exclude-standard -z | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf - | tar -xf - -C "$dest"
# a repository of its own, so that ansible-test lists these files and not the enclosing checkout's
if [ ! -d "$dest/.git" ]; then git -C "$dest" init -q; fi
echo "$dest"
