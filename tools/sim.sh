#!/usr/bin/env bash
# Starts and stops the local NAS-HA API simulator.
#   tools/sim.sh start NAME SEED [simulator options...]   background, state in .sim/NAME.state.json; prints the base URL
#   tools/sim.sh stop NAME
#   tools/sim.sh foreground [simulator options...]         demo seed on 127.0.0.1:8765 until Ctrl-C; starts from
#                                                          the seed unless KEEP_STATE=1 (then the state saved in
#                                                          .sim/foreground.state.json by the last run goes on)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py="$root/.venv/bin/python"
run_dir="$root/.sim"
mkdir -p "$run_dir"
cd "$root"

case "${1:-}" in
  start)
    name=$2; seed=$3; shift 3
    rm -f "$run_dir/$name.port" "$run_dir/$name.state.json"
    "$py" -m simulator.nasha_sim --seed "$seed" --state "$run_dir/$name.state.json" \
      --port 0 --port-file "$run_dir/$name.port" "$@" >"$run_dir/$name.log" 2>&1 &
    echo $! >"$run_dir/$name.pid"
    for _ in $(seq 1 100); do
      if [ -s "$run_dir/$name.port" ]; then
        echo "http://127.0.0.1:$(cat "$run_dir/$name.port")/1.0"
        exit 0
      fi
      if ! kill -0 "$(cat "$run_dir/$name.pid")" 2>/dev/null; then break; fi
      sleep 0.1
    done
    echo "the simulator did not start; its log:" >&2
    cat "$run_dir/$name.log" >&2
    exit 1
    ;;
  stop)
    name=$2
    if [ -f "$run_dir/$name.pid" ]; then
      kill "$(cat "$run_dir/$name.pid")" 2>/dev/null || true
      rm -f "$run_dir/$name.pid" "$run_dir/$name.port"
    fi
    ;;
  foreground)
    shift
    state="$run_dir/foreground.state.json"
    if [ "${KEEP_STATE:-0}" = 1 ] && [ -f "$state" ]; then
      echo "simulator: going on from the state of the last run ($state; make sim without KEEP_STATE=1 starts from the demo seed)"
    else
      rm -f "$state"
      echo "simulator: demo seed simulator/seeds/demo.json (make sim KEEP_STATE=1 keeps the state of one run for the next)"
    fi
    exec "$py" -m simulator.nasha_sim --seed simulator/seeds/demo.json --state "$state" --port 8765 "$@"
    ;;
  *)
    echo "usage: $0 start NAME SEED [options] | stop NAME | foreground [options]" >&2
    exit 2
    ;;
esac
