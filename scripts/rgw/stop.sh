#!/usr/bin/env bash
# Stops the daemons of a cluster started by scripts/rgw/start.sh --dir DIR and
# returns once they are gone. Leaves DIR (logs, config) for the caller to
# inspect or delete.
set -euo pipefail

dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: scripts/rgw/stop.sh --dir DIR" >&2; exit 2 ;;
  esac
done
[ -n "$dir" ] || { echo "usage: scripts/rgw/stop.sh --dir DIR" >&2; exit 2; }
[ -d "$dir/run" ] || exit 0
dir=$(cd "$dir" && pwd)

# A stale pid file may name a pid that now belongs to something else: only
# signal processes started with this cluster's config (start.sh exports it).
owned() { grep -qzxF "CEPH_CONF=$dir/ceph.conf" "/proc/$1/environ" 2>/dev/null; }

# The watchdog runs in its own process group (see start.sh); ending the group
# ends its `tail` too, which would otherwise linger until the owner exits.
if [ -s "$dir/watchdog.pid" ]; then
  watchdog=$(cat "$dir/watchdog.pid")
  if owned "$watchdog"; then kill -TERM -- "-$watchdog" 2>/dev/null || true; fi
fi

pids=()
for pidfile in "$dir"/run/*.pid; do
  [ -s "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if owned "$pid"; then pids+=("$pid"); fi
done
[ ${#pids[@]} -gt 0 ] || exit 0

# SIGKILL, not SIGTERM: the object store is in memory and dies with the
# cluster anyway, while a clean shutdown takes seconds per daemon (an OSD
# whose monitor has already gone waits for it).
kill -KILL "${pids[@]}" 2>/dev/null || true

# The daemons are not our children, so no `wait` and no exit event reaches us:
# check each until it is gone. A zombie counts as gone (its sockets and memory
# are freed); reaping it is up to init, which some containers do late.
gone() {
  [ ! -e "/proc/$1" ] || [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null)" = Z ]
}
for pid in "${pids[@]}"; do
  for _ in $(seq 1 200); do
    if gone "$pid"; then continue 2; fi
    sleep 0.05
  done
  echo "stop.sh: process $pid survived SIGKILL for 10 s" >&2
  exit 1
done
