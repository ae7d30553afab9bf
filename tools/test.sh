#!/usr/bin/env bash
# Every check of the collection. Called by `make test`; `tools/test.sh STEP` runs one step alone (the fast targets
# make units, make sanity, make integration, make lint: ansible-core 2.19 on Python 3.11 only).
# Two ansible-core lines: 2.19 on Python 3.11 (.venv) and 2.21 on Python 3.13 (.venv-2.21, skipped with a
# message where no Python 3.13 is found; NASHA_PYTHON313 may name one). Lint, docs, changelog, packaging and
# execution-environment tools live in .venv-gates. Each virtualenv is reused while its requirements are unchanged.
#
# After the virtualenvs and the simulator tests, the steps run in three lanes side by side, each on a collection
# tree of its own: the static checks of ansible-core 2.19 and the packaging; the static checks of ansible-core 2.21;
# what runs against the simulator (integration on both lines, the reliability suite), which mostly waits on the
# simulator's tasks. A lane stops at its first failure; its output goes to .build/test-logs/LANE.log and is printed
# as a whole when the lane ends. make test fails when any lane failed, naming the lane and the step.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
py="$root/.venv/bin/python"
gates="$root/.venv-gates"
line2_venv="$root/.venv-2.21"
build_dir="${NASHA_BUILD_DIR:-$root/.build}"
logs="$build_dir/test-logs"
scratch=$(mktemp -d)

started=$(date +%s)
step_name=""
step_started=$started
timing_file="$scratch/timings-0-main"
lane_label=""
failure=""
end_step() {
  if [ -n "$step_name" ]; then
    printf '%6ss  %s%s\n' "$(($(date +%s) - step_started))" "$lane_label" "$step_name" >>"$timing_file"
  fi
  step_name=""
}
step() {
  end_step
  step_name=$1
  step_started=$(date +%s)
  printf '\n==> %s (%ss)\n' "$1" "$((step_started - started))"
}

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

# -- the checks, one function each ---------------------------------------------------------------------------------

# collection_tree [NAME]: the collection tree under $build_dir, or one of its own under $build_dir/NAME (steps that
# run side by side must not share one: laying a tree out replaces its files); prints its path
collection_tree() { NASHA_BUILD_DIR="$build_dir${1:+/$1}" tools/collection_tree.sh; }

gates_venv() { tools/venv.sh "$gates" "$py" tools/requirements-gates.txt; }

simulator_tests() {
  step "simulator tests and API contract test"
  "$py" -m pytest -q -p no:cacheprovider --durations=10 simulator/tests
}

# units PYTHON_VERSION VENV TREE
units() {
  step "ansible-test units (ansible-core $("$2/bin/python" -c 'import ansible; print(ansible.__version__)'), Python $1)"
  (cd "$3" && PATH="$2/bin:$PATH" ansible-test units --local --python "$1" --color no)
}

# sanity PYTHON_VERSION VENV TREE
sanity() {
  step "ansible-test sanity (ansible-core $("$2/bin/python" -c 'import ansible; print(ansible.__version__)'), Python $1)"
  (cd "$3" && PATH="$2/bin:$PATH" ansible-test sanity --venv --python "$1" --color no)
}

# lint TREE: ansible-lint resolves snapkeep.nasha.* through the collection tree
lint() {
  step "ansible-lint --profile production"
  (cd "$1" && PATH="$gates/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="${1%/ansible_collections/snapkeep/nasha}" NO_COLOR=1 \
    ansible-lint --profile production --offline)
}

# docs_and_changelog TREE
docs_and_changelog() {
  step "antsibull-docs lint-collection-docs --plugin-docs, antsibull-changelog lint"
  (cd "$1" && PATH="$gates/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="${1%/ansible_collections/snapkeep/nasha}" \
    antsibull-docs lint-collection-docs --plugin-docs .)
  (cd "$1" && PATH="$gates/bin:$PATH" antsibull-changelog lint && \
    PATH="$gates/bin:$PATH" antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml)
}

build_and_import() {
  step "ansible-galaxy collection build, tarball contents, galaxy-importer"
  # built from the checkout itself, as a release would be, so that galaxy.yml's build_ignore is what is tested
  "$gates/bin/ansible-galaxy" collection build --output-path "$scratch/dist" .
  local tarball
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
}

execution_environment() {
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
}

# integration PYTHON_VERSION VENV (tools/integration.sh lays out its own tree under NASHA_BUILD_DIR)
integration() {
  step "ansible-test integration against the simulator (ansible-core $("$2/bin/python" -c 'import ansible; print(ansible.__version__)'), Python $1)"
  NASHA_TEST_VENV="$2" NASHA_TEST_PYTHON="$1" tools/integration.sh
}

fleet_report() {
  step "fleet report in headless Chromium (page and screenshots in tests/output/report/)"
  tools/report_test.sh
}

reliability() {
  step "reliability and security suite (ansible-core 2.19, Python 3.11)"
  tools/reliability.sh --durations=10
}

# -- one step alone --------------------------------------------------------------------------------------------------

if [ $# -gt 0 ]; then
  trap 'rm -rf "$scratch"' EXIT
  "$py" tools/get_pip_standin.py
  case "$1" in
    units) units 3.11 "$root/.venv" "$(collection_tree)" ;;
    sanity)
      tools/require_package.sh shellcheck shellcheck "ansible-test sanity checks the shell scripts with it"
      sanity 3.11 "$root/.venv" "$(collection_tree)"
      ;;
    integration) integration 3.11 "$root/.venv" ;;
    lint)
      gates_venv
      lint "$(collection_tree)"
      ;;
    *) echo "usage: $0 [units|sanity|integration|lint]   (no argument: every check)" >&2; exit 2 ;;
  esac
  end_step
  printf '\n==> %s passed\n' "$(cat "$timing_file")"
  exit 0
fi

# -- every check -----------------------------------------------------------------------------------------------------

summary() {
  local status=$?
  local failed_step=${failure:-$step_name}
  end_step
  printf '\n==> time per step (lanes side by side: their sum exceeds the total)\n'
  cat "$scratch"/timings-* 2>/dev/null || true
  rm -rf "$scratch"
  if [ "$status" -eq 0 ]; then
    echo "make test: all checks passed; total time $(($(date +%s) - started)) s"
  else
    echo "make test: FAILED in $failed_step (exit $status); total time $(($(date +%s) - started)) s"
  fi
}
trap summary EXIT

step "virtualenvs for the gates and the second ansible-core line"
# made side by side: on a fresh machine both wait mostly on downloads
gates_venv &
gates_pid=$!
line2_python=$(python313 || true)
if [ -n "$line2_python" ]; then
  tools/venv.sh "$line2_venv" "$line2_python" tools/requirements-2.21.txt
else
  echo "no Python 3.13 interpreter found: the ansible-core 2.21 line will be skipped"
fi
wait "$gates_pid"

simulator_tests

step "collection trees for the lanes, pip bootstrap script for ansible-test"
rm -rf "$logs"
mkdir -p "$logs"
tree_static=$(collection_tree)
tree_line2=$(collection_tree line2)
echo "$tree_static"
echo "$tree_line2"
# ansible-test's sanity checks the shell scripts with shellcheck, and skips that check where it is missing
tools/require_package.sh shellcheck shellcheck "ansible-test sanity checks the shell scripts with it"
# ansible-test's pip bootstrap script, for each line, before any lane needs it
"$py" tools/get_pip_standin.py
if [ -n "$line2_python" ]; then "$line2_venv/bin/python" tools/get_pip_standin.py; fi

lane_static() {
  units 3.11 "$root/.venv" "$tree_static"
  sanity 3.11 "$root/.venv" "$tree_static"
  lint "$tree_static"
  docs_and_changelog "$tree_static"
  build_and_import
  execution_environment
  fleet_report
}
lane_line2() {
  if [ -z "$line2_python" ]; then
    step "ansible-core 2.21 line (Python 3.13)"
    echo "SKIPPED: no Python 3.13 interpreter on this machine (set NASHA_PYTHON313 to one to run this line)"
    return 0
  fi
  units 3.13 "$line2_venv" "$tree_line2"
  sanity 3.13 "$line2_venv" "$tree_line2"
}
lane_simulator() {
  export NASHA_BUILD_DIR="$build_dir/simulator-lane"  # integration.sh and reliability.sh lay their trees there
  integration 3.11 "$root/.venv"
  reliability
  if [ -n "$line2_python" ]; then integration 3.13 "$line2_venv"; fi
}

declare -A lane_of_pid=()
# start_lane NAME FUNCTION: FUNCTION in the background, stopping at its first failure, output in $logs/NAME.log
start_lane() {
  local name=$1 function=$2
  (
    trap - EXIT
    timing_file="$scratch/timings-$name"
    lane_label="[$name] "
    step_name=""
    trap 'status=$?; [ "$status" -eq 0 ] || echo "$step_name" >"$logs/$name.failed"; end_step' EXIT
    set -e
    "$function"
  ) >"$logs/$name.log" 2>&1 &
  lane_of_pid[$!]=$name
}
step "lanes side by side: static-2.19 (units, sanity, lint, docs, build), static-2.21 (units, sanity), simulator (integration 2.19, reliability, integration 2.21)"
echo "each lane's output is printed when it ends (and kept in $logs)"
start_lane static-2.19 lane_static
start_lane static-2.21 lane_line2
start_lane simulator lane_simulator

failed_lanes=()
while [ "${#lane_of_pid[@]}" -gt 0 ]; do
  status=0
  wait -n -p done_pid "${!lane_of_pid[@]}" || status=$?
  name=${lane_of_pid[$done_pid]}
  unset "lane_of_pid[$done_pid]"
  printf '\n==> lane %s ended (%s) at %ss; its output:\n' "$name" \
    "$([ "$status" -eq 0 ] && echo passed || echo "FAILED, exit $status")" "$(($(date +%s) - started))"
  cat "$logs/$name.log"
  printf '==> end of the output of lane %s\n' "$name"
  if [ "$status" -ne 0 ]; then
    failed_lanes+=("lane $name, step \"$(cat "$logs/$name.failed" 2>/dev/null || echo '?')\"")
  fi
done
end_step
if [ "${#failed_lanes[@]}" -gt 0 ]; then
  failure=$(printf '%s; ' "${failed_lanes[@]}")
  failure=${failure%; }
  exit 1
fi
