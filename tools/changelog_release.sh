#!/usr/bin/env bash
# Cuts a release of the changelog: tools/changelog_release.sh X.Y.Z (galaxy.yml's version must be X.Y.Z).
# antsibull-changelog reads the modules' documentation through ansible-doc, so it runs in the collection tree;
# changelogs/changelog.yaml and CHANGELOG.rst are copied back and the fragments it consumed are removed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=${1:?usage: tools/changelog_release.sh X.Y.Z}
declared=$(sed -n 's/^version: *//p' galaxy.yml)
if [ "$declared" != "$version" ]; then
  echo "galaxy.yml says version $declared: set it to $version first" >&2
  exit 1
fi
tools/venv.sh .venv-gates .venv/bin/python tools/requirements-gates.txt
tree=$(NASHA_BUILD_DIR="$root/.build/changelog" tools/collection_tree.sh)
(cd "$tree" && PATH="$root/.venv-gates/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$root/.build/changelog" \
  antsibull-changelog release --version "$version")
cp "$tree/changelogs/changelog.yaml" changelogs/changelog.yaml
cp "$tree/CHANGELOG.rst" CHANGELOG.rst
for fragment in changelogs/fragments/*; do
  [ -e "$fragment" ] || continue
  if [ ! -e "$tree/$fragment" ]; then rm "$fragment"; echo "released: $fragment"; fi
done
echo "release $version: changelogs/changelog.yaml and CHANGELOG.rst written; commit them with the removed fragments"
