#!/usr/bin/env bash
# Starts a throwaway single-node Ceph cluster (one monitor, one OSD on the
# in-memory object store, one manager) and a RADOS Gateway serving S3 on
# 127.0.0.1, then creates one S3 user. Everything lives in --dir; stop it with
# scripts/rgw/stop.sh --dir DIR. Needs the Debian packages
# radosgw ceph-mon ceph-osd ceph-mgr.
#
# On success prints `key=value` lines on stdout (endpoint, tls_endpoint,
# access_key, secret_key, pids); daemon logs are in DIR/log.
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
usage: scripts/rgw/start.sh --dir DIR [--port 7480] [--mon-port 6789]
         [--access-key KEY] [--secret-key SECRET] [--uid ferry]
         [--ssl-port PORT --ssl-certificate PEM_WITH_CERT_AND_KEY]
         [--owner-pid PID]
--owner-pid: when process PID exits, stop the cluster and delete DIR (a test
runner killed before its teardown leaves nothing behind).
EOF
  exit 2
}

dir="" port=7480 mon_port=6789 uid=ferry
access_key=ferry-test-access-key secret_key=ferry-test-secret-key
ssl_port="" ssl_certificate="" owner_pid=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --mon-port) mon_port=$2; shift 2 ;;
    --uid) uid=$2; shift 2 ;;
    --access-key) access_key=$2; shift 2 ;;
    --secret-key) secret_key=$2; shift 2 ;;
    --ssl-port) ssl_port=$2; shift 2 ;;
    --ssl-certificate) ssl_certificate=$2; shift 2 ;;
    --owner-pid) owner_pid=$2; shift 2 ;;
    *) usage ;;
  esac
done
[ -n "$dir" ] || usage
if [ -n "$ssl_port" ] && [ ! -r "$ssl_certificate" ]; then
  echo "start.sh: --ssl-port needs --ssl-certificate naming a readable PEM file (certificate and key)" >&2
  exit 2
fi

for tool in ceph-authtool monmaptool ceph-mon ceph-osd ceph-mgr radosgw radosgw-admin ceph; do
  if ! command -v "$tool" >/dev/null; then
    echo "start.sh: '$tool' not found. Install Ceph with: apt-get install -y radosgw ceph-mon ceph-osd ceph-mgr" >&2
    exit 3
  fi
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ -e "$dir/ceph.conf" ]; then
  echo "start.sh: $dir already holds a cluster; stop it (scripts/rgw/stop.sh --dir $dir) and use an empty directory" >&2
  exit 2
fi
mkdir -p "$dir"/{run,log,mon,osd,mgr,crash,tmp}

export CEPH_CONF="$dir/ceph.conf"
fsid=$(cat /proc/sys/kernel/random/uuid)
mon_addr="v1:127.0.0.1:$mon_port"

# tcp_nodelay: beast writes a response's head and its body separately, and
# with Nagle's algorithm the body then waits for the client's delayed ACK:
# 40 ms on Linux for every answer with a body (the uploader's size check),
# where S3 front ends send at once.
frontend="beast endpoint=127.0.0.1:$port tcp_nodelay=1"
if [ -n "$ssl_port" ]; then
  # Beast reads the key from the certificate file when ssl_private_key is absent.
  frontend="$frontend ssl_endpoint=127.0.0.1:$ssl_port ssl_certificate=$ssl_certificate"
fi

# Authentication between daemons is off: the cluster is reachable on loopback
# only and lives as long as one test run. Only msgr v1 is bound so that one
# port per monitor is all that has to be free. The short Paxos intervals and
# 8 placement groups per pool take radosgw's first start (it creates its pools
# one by one, each a monitor round) from about 10 s to under one. The OSD
# neither places itself in the CRUSH map nor sets its device class at start:
# those monitor commands can race its first monitor map and fail with
# 'wrong fsid', so this script places it instead.
cat >"$CEPH_CONF" <<EOF
[global]
fsid = $fsid
mon host = $mon_addr
ms bind msgr2 = false
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail crit = 0
paxos propose interval = 0.05
paxos min wait = 0.01
osd objectstore = memstore
memstore device bytes = 1073741824
osd crush chooseleaf type = 0
osd crush update on start = false
osd class update on start = false
run dir = $dir/run
crash dir = $dir/crash
tmp dir = $dir/tmp
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
admin socket = $dir/run/\$name.asok
mon data = $dir/mon/\$name
osd data = $dir/osd/\$name
mgr data = $dir/mgr/\$name
keyring = $dir/keyring
public addr = 127.0.0.1
[client.rgw]
rgw frontends = $frontend
EOF

fail() {
  echo "start.sh: $1" >&2
  local log="${2:-}"
  if [ -n "$log" ] && [ -f "$log" ]; then
    echo "--- last lines of $log" >&2
    tail -n 30 "$log" >&2
  fi
  exit 1
}

# Whatever makes this script stop early, no daemon of a half-started cluster
# may outlive it.
on_exit() {
  local status=$?
  rm -f "$dir/start.pid"
  if [ "$status" -ne 0 ]; then "$(dirname "$0")/stop.sh" --dir "$dir" >&2 || true; fi
}
trap on_exit EXIT

# A new `ceph` client can send its first command before it has the monitor
# map, with a zero fsid that the monitor refuses ('wrong fsid', EPERM). The
# command did nothing then, so it is sent again by a new client, at most twice.
ceph_cli() {
  local attempt
  for attempt in 1 2 3; do
    if timeout 30 ceph --connect-timeout 20 "$@" 2>"$dir/log/ceph-cli.err"; then return 0; fi
    grep -q EPERM "$dir/log/ceph-cli.err" || break
    echo "ceph $* (attempt $attempt): $(cat "$dir/log/ceph-cli.err")" >>"$dir/log/ceph-cli-retries.log"
  done
  cat "$dir/log/ceph-cli.err" >&2
  return 1
}

# While this script runs, the watchdog below may need to end it first, so
# that no daemon is started after the watchdog has stopped the others.
echo $$ >"$dir/start.pid"
if [ -n "$owner_pid" ]; then
  # In its own session, so that signals to the caller's process group (a
  # Ctrl-C) do not take it along. It removes its own pid file first, so that
  # the stop.sh it runs leaves it alone.
  setsid bash -c '
    tail --pid="$1" -s 1 -f /dev/null
    rm -f "$2/watchdog.pid"
    if [ -s "$2/start.pid" ]; then kill "$(cat "$2/start.pid")" 2>/dev/null; fi
    "$3" --dir "$2"
    rm -rf "$2"' watchdog "$owner_pid" "$dir" "$(cd "$(dirname "$0")" && pwd)/stop.sh" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/watchdog.pid"
fi

ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --addv a "[$mon_addr]" --fsid "$fsid" "$dir/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring" ||
  fail "ceph-mon --mkfs failed" "$dir/log/mon.a.log"
ceph-mon -i a 2>>"$dir/log/daemon-start.log" || fail "ceph-mon did not start (is port $mon_port free?)" "$dir/log/mon.a.log"

osd_uuid=$(cat /proc/sys/kernel/random/uuid)
osd_id=$(ceph_cli osd create "$osd_uuid") || fail "the monitor did not answer 'ceph osd create'" "$dir/log/mon.a.log"
mkdir -p "$dir/osd/osd.$osd_id"
ceph-osd -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd-mkfs.log" 2>&1 || fail "ceph-osd --mkfs failed" "$dir/log/osd-mkfs.log"
ceph_cli osd crush add "osd.$osd_id" 1.0 host=localhost root=default >/dev/null 2>&1 ||
  fail "could not place osd.$osd_id in the CRUSH map" "$dir/log/mon.a.log"
ceph-osd -i "$osd_id" 2>>"$dir/log/daemon-start.log" || fail "ceph-osd did not start" "$dir/log/osd.$osd_id.log"
mkdir -p "$dir/mgr/mgr.x"
ceph-mgr -i x 2>>"$dir/log/daemon-start.log" || fail "ceph-mgr did not start" "$dir/log/mgr.x.log"
radosgw -n client.rgw 2>>"$dir/log/daemon-start.log" || fail "radosgw did not start" "$dir/log/client.rgw.log"

# radosgw forks before it has created its pools and opened the frontend, so
# readiness is only visible as the port accepting connections.
ready=""
for _ in $(seq 1 600); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then ready=yes; break; fi
  if [ -s "$dir/run/client.rgw.pid" ] && ! kill -0 "$(cat "$dir/run/client.rgw.pid")" 2>/dev/null; then
    fail "radosgw exited during start-up (is port $port${ssl_port:+ or $ssl_port} free?)" "$dir/log/client.rgw.log"
  fi
  sleep 0.1
done
[ -n "$ready" ] || fail "radosgw did not open port $port within 60 s" "$dir/log/client.rgw.log"

timeout 60 radosgw-admin user create --uid "$uid" --display-name "$uid" \
  --access-key "$access_key" --secret "$secret_key" >"$dir/log/user-create.json" 2>&1 ||
  fail "radosgw-admin user create failed" "$dir/log/user-create.json"

pids=""
for daemon in mon.a "osd.$osd_id" mgr.x client.rgw; do pids="$pids $(cat "$dir/run/$daemon.pid")"; done
echo "endpoint=http://127.0.0.1:$port"
if [ -n "$ssl_port" ]; then echo "tls_endpoint=https://127.0.0.1:$ssl_port"; fi
echo "access_key=$access_key"
echo "secret_key=$secret_key"
echo "pids=${pids# }"
