#!/usr/bin/env bash
# Every check of the collection, in order; stops at the first failure. Called by `make test`.
# Two ansible-core lines: 2.19 on Python 3.11 (.venv) and 2.21 on Python 3.13 (.venv-2.21, skipped with a
# message where no Python 3.13 is found; NASHA_PYTHON313 may name one). Lint, docs, changelog, packaging and
# execution-environment tools live in .venv-gates. Each virtualenv is reused while its requirements are unchanged.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
py="$root/.venv/bin/python"
gates="$root/.venv-gates"
line2_venv="$root/.venv-2.21"
build_dir="${NASHA_BUILD_DIR:-$root/.build}"
scratch=$(mktemp -d)

started=$(date +%s)
step_name=""
step_started=$started
timings=()
end_step() {
  if [ -n "$step_name" ]; then
    timings+=("$(printf '%6ss  %s' "$(($(date +%s) - step_started))" "$step_name")")
  fi
  step_name=""
}
step() {
  end_step
  step_name=$1
  step_started=$(date +%s)
  printf '\n==> %s (%ss)\n' "$1" "$((step_started - started))"
}
summary() {
  local status=$?
  local failed_step=$step_name
  end_step
  rm -rf "$scratch"
  printf '\n==> time per step\n'
  printf '%s\n' "${timings[@]}"
  if [ "$status" -eq 0 ]; then
    echo "make test: all checks passed; total time $(($(date +%s) - started)) s"
  else
    echo "make test: FAILED in step \"$failed_step\" (exit $status); total time $(($(date +%s) - started)) s"
  fi
}
trap summary EXIT

# A working Python 3.13 interpreter (not a pyenv shim without a version behind it), or nothing.
python313() {
  local candidate
  for candidate in "${NASHA_PYTHON313:-}" python3.13 "$HOME"/.pyenv/versions/3.13*/bin/python3.13 /usr/bin/python3.13; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

step "virtualenvs for the gates and the second ansible-core line"
# made side by side: on a fresh machine both wait mostly on downloads
tools/venv.sh "$gates" "$py" tools/requirements-gates.txt &
gates_pid=$!
line2_python=$(python313 || true)
if [ -n "$line2_python" ]; then
  tools/venv.sh "$line2_venv" "$line2_python" tools/requirements-2.21.txt
else
  echo "no Python 3.13 interpreter found: the ansible-core 2.21 line will be skipped"
fi
wait "$gates_pid"

step "simulator tests and API contract test"
"$py" -m pytest -q -p no:cacheprovider simulator/tests

step "collection tree for ansible-test"
tree=$(tools/collection_tree.sh)
"$py" tools/get_pip_standin.py
if [ -n "$line2_python" ]; then "$line2_venv/bin/python" tools/get_pip_standin.py; fi

step "ansible-test units (ansible-core $("$py" -c 'import ansible; print(ansible.__version__)'), Python 3.11)"
(cd "$tree" && ansible-test units --local --python 3.11 --color no)

step "ansible-test sanity (ansible-core 2.19, Python 3.11)"
(cd "$tree" && ansible-test sanity --venv --python 3.11 --color no)

step "ansible-lint --profile production"
# ansible-lint resolves snapkeep.nasha.* through the collection tree
(cd "$tree" && PATH="$gates/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$build_dir" NO_COLOR=1 \
  ansible-lint --profile production --offline)

step "antsibull-docs lint-collection-docs --plugin-docs, antsibull-changelog lint"
(cd "$tree" && PATH="$gates/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$build_dir" \
  antsibull-docs lint-collection-docs --plugin-docs .)
(cd "$tree" && PATH="$gates/bin:$PATH" antsibull-changelog lint && \
  PATH="$gates/bin:$PATH" antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml)

step "ansible-galaxy collection build, tarball contents, galaxy-importer"
# built from the checkout itself, as a release would be, so that galaxy.yml's build_ignore is what is tested
"$gates/bin/ansible-galaxy" collection build --output-path "$scratch/dist" .
tarball=$(ls "$scratch"/dist/snapkeep-nasha-*.tar.gz)
"$py" tools/check_tarball.py "$tarball"
mkdir -p "$scratch/importer"
(cd "$scratch/importer" && PATH="$gates/bin:$PATH" "$gates/bin/python" -m galaxy_importer.main "$tarball" \
  >importer.log 2>&1) || { cat "$scratch/importer/importer.log"; false; }
cat "$scratch/importer/importer.log"
# galaxy-importer fails only on errors; its warnings (bad docs, lint findings) fail this gate too
if grep -E '^(WARNING|ERROR)' "$scratch/importer/importer.log"; then
  echo "galaxy-importer reported the problems above"
  false
fi

step "ansible-builder create (execution environment build context)"
# paths in meta/execution-environment.yml are relative to the collection root (where ansible-builder looks when
# the collection is installed into an execution environment), so the definition is read from a copy laid there
mkdir -p "$scratch/ee-definition"
cp meta/execution-environment.yml requirements.txt "$scratch/ee-definition/"
"$gates/bin/ansible-builder" create -f "$scratch/ee-definition/execution-environment.yml" -c "$scratch/ee"
test -f "$scratch/ee/Containerfile" -o -f "$scratch/ee/Dockerfile"
# the execution environment installs exactly the collection's Python requirements
requirement_lines() { grep -v -e '^#' -e '^[[:space:]]*$' "$1" | sort; }
diff <(requirement_lines requirements.txt) <(requirement_lines "$scratch/ee/_build/requirements.txt")

step "ansible-test integration against the simulator (ansible-core 2.19, Python 3.11)"
tools/integration.sh

step "reliability and security suite (ansible-core 2.19, Python 3.11)"
tools/reliability.sh

step "fleet report in headless Chromium (page and screenshots in tests/output/report/)"
tools/report_test.sh

if [ -n "$line2_python" ]; then
  line2_env=(env PATH="$line2_venv/bin:$PATH")
  step "ansible-test units (ansible-core $("$line2_venv/bin/python" -c 'import ansible; print(ansible.__version__)'), Python 3.13)"
  (cd "$tree" && "${line2_env[@]}" ansible-test units --local --python 3.13 --color no)

  step "ansible-test sanity (ansible-core 2.21, Python 3.13)"
  (cd "$tree" && "${line2_env[@]}" ansible-test sanity --venv --python 3.13 --color no)

  step "ansible-test integration against the simulator (ansible-core 2.21, Python 3.13)"
  NASHA_TEST_VENV="$line2_venv" NASHA_TEST_PYTHON=3.13 tools/integration.sh
else
  step "ansible-core 2.21 line (Python 3.13)"
  echo "SKIPPED: no Python 3.13 interpreter on this machine (set NASHA_PYTHON313 to one to run this line)"
fi
end_step
