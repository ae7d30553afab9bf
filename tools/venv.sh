#!/usr/bin/env bash
# Makes a virtualenv, or keeps the one already there: tools/venv.sh DIR PYTHON REQUIREMENTS_FILE...
# The virtualenv is reused while its stamp (the interpreter's version and the requirement files' content)
# is unchanged, and made anew otherwise.
set -euo pipefail
dir=$1; python=$2; shift 2
stamp=$({ "$python" -c 'import sys; print(sys.version)'; cat "$@"; } | sha256sum | cut -d' ' -f1)
if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
  exit 0
fi
echo "making the virtualenv $dir ($("$python" -c 'import sys; print(sys.version.split()[0])'), $*)"
rm -rf "$dir"
"$python" -m venv "$dir"
requirements=()
for file in "$@"; do requirements+=(-r "$file"); done
# this machine's pip configuration names local indexes that may be absent: drop pip's warnings about them
{ "$dir/bin/python" -m pip install -q --disable-pip-version-check "${requirements[@]}" 2>&1; } \
  | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
echo "$stamp" >"$dir/.stamp"
