#!/usr/bin/env bash
# A local stand-in for devstack: OpenStack (Zed, Debian's packages) with Ferry, on 127.0.0.1.
# LAB ONLY: fixed passwords, Ceph without cephx, everything on loopback, run as root, no systemd.
#
#   scripts/openstack-lab.sh start    start what is not running (idempotent); prints the time taken
#   scripts/openstack-lab.sh stop     stop every service of this lab (idempotent)
#   scripts/openstack-lab.sh status   one line per service; exit 0 only if all run
#   scripts/openstack-lab.sh env      shell exports to reach the lab (eval "$(... env)")
#   scripts/openstack-lab.sh purge    stop, then delete $FERRY_OS_DIR
#   scripts/openstack-lab.sh start|stop PIECE...   only those pieces, e.g. `stop agent`
#
# Pieces (scripts/openstack-lab/*.sh, started in this order, stopped in reverse; each defines
# <piece>_start, <piece>_stop, <piece>_status and <piece>_env, and may define <piece>_begin,
# which is called for all pieces before any start, for work that can run in the background):
#   base    MariaDB, RabbitMQ, Keystone, Placement, a fake Neutron
#   ceph    two lab clusters (scripts/ceph-lab.sh): 1 = volumes-a volumes-b stock-a stock-b,
#           2 = volumes-c (started in the background during base)
#   agent   the Ferry agent (mutual TLS, lab CA in $FERRY_OS_DIR/tls), OpenStack credentials;
#           starts nova's libvirtd first (the agent looks for libvirt only when it starts)
#   cinder  cinder-api (uwsgi), cinder-scheduler, cinder-volume with backends ferry-a ferry-b
#           (cluster 1) ferry-c (cluster 2) driven by ferry_cinder, and stock-a stock-b (stock RBD)
#   nova    libvirtd + Nova (scripts/openstack-lab/nova.sh, the "nova" helper's piece)
#   FERRY_OS_PIECES="base ceph agent cinder" loads only those pieces.
#
# Environment:
#   FERRY_OS_DIR        everything of the lab: configs, data, logs (log/), pid files (run/).
#                       Default /tmp/ferry-openstack, or /tmp/ferry-openstack-$FERRY_LAB_TAG.
#   FERRY_OS_PORT_BASE  first port; default 27000, or 27000 + 100 * (hash of FERRY_LAB_TAG % 50).
#                       Below Linux's ephemeral range (32768+): there a client's outgoing connection
#                       may take a service's port while it is stopped (seen: the agent's port).
#                       Offsets: +0 MariaDB, +1 RabbitMQ AMQP, +2 its Erlang distribution, +3 epmd,
#                       +10 Keystone, +11 Placement, +12 fake Neutron, +13 cinder-api,
#                       +20..+29 Nova (+20 nova-api, +21 metadata, +22 novncproxy),
#                       +30 Ferry agent (gRPC, mTLS), +31 its metrics,
#                       +40/+41 Ceph cluster 1 mon, +42/+43 Ceph cluster 2 mon.
#   FERRY_AGENT_JAR     the agent jar; default java-agent/target/ferry-agent.jar (built if missing)
#   FERRY_OS_TIMEOUT    seconds any one service may take to come up (default 240)
set -euo pipefail

OS_LAB_SCRIPT=$(realpath "${BASH_SOURCE[0]}")
REPO=$(dirname "$(dirname "$OS_LAB_SCRIPT")")
PIECE_DIR=$REPO/scripts/openstack-lab
PY=/usr/bin/python3

tag_hash() { printf '%s' "$1" | cksum | cut -d' ' -f1; }
if [ -n "${FERRY_LAB_TAG:-}" ]; then
  FERRY_OS_DIR=${FERRY_OS_DIR:-/tmp/ferry-openstack-$FERRY_LAB_TAG}
  FERRY_OS_PORT_BASE=${FERRY_OS_PORT_BASE:-$((27000 + 100 * ($(tag_hash "$FERRY_LAB_TAG") % 50)))}
else
  FERRY_OS_DIR=${FERRY_OS_DIR:-/tmp/ferry-openstack}
  FERRY_OS_PORT_BASE=${FERRY_OS_PORT_BASE:-27000}
fi
FERRY_OS_DIR=$(realpath -m "$FERRY_OS_DIR")
OS_TIMEOUT=${FERRY_OS_TIMEOUT:-240}
LOG_DIR=$FERRY_OS_DIR/log
RUN_DIR=$FERRY_OS_DIR/run

B=$FERRY_OS_PORT_BASE
MYSQL_PORT=$B RABBIT_PORT=$((B + 1)) RABBIT_DIST_PORT=$((B + 2)) EPMD_PORT=$((B + 3))
KEYSTONE_PORT=$((B + 10)) PLACEMENT_PORT=$((B + 11)) NEUTRON_PORT=$((B + 12))
CINDER_PORT=$((B + 13)) NOVA_API_PORT=$((B + 20)) NOVA_METADATA_PORT=$((B + 21))
NOVNC_PORT=$((B + 22)) AGENT_PORT=$((B + 30)) AGENT_METRICS_PORT=$((B + 31))
CEPH1_PORT=$((B + 40)) CEPH2_PORT=$((B + 42))

# Lab credentials (LAB ONLY).
ADMIN_PASSWORD=ferry-lab-admin
SERVICE_PASSWORD=ferry-lab-service
DB_USER=ferry DB_PASSWORD=ferry-lab-db
REGION=RegionOne
KEYSTONE_URL=http://127.0.0.1:$KEYSTONE_PORT/v3
TRANSPORT_URL=rabbit://guest:guest@127.0.0.1:$RABBIT_PORT/
LIBVIRT_DIR=$FERRY_OS_DIR/libvirt
LIBVIRT_URI="qemu:///system?socket=$LIBVIRT_DIR/run/libvirt-sock"
CEPH_CONF_1=$FERRY_OS_DIR/ceph1/ceph.conf
CEPH_CONF_2=$FERRY_OS_DIR/ceph2/ceph.conf
COMPUTE_HOST=ferry-lab    # the host name of cinder-volume and nova-compute services

log() { echo "openstack-lab: $*" >&2; }
die() { echo "openstack-lab: ERROR: $*" >&2; exit 1; }

db_url() { echo "mysql+pymysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$MYSQL_PORT/$1?charset=utf8"; }

# -- daemons: started in their own session, known by pid file and command line --------------

# The pid in run/NAME.pid if that process is alive and its command line mentions $FERRY_OS_DIR.
daemon_pid() {
  local file=$RUN_DIR/$1.pid pid
  [ -s "$file" ] || return 1
  pid=$(<"$file")
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$FERRY_OS_DIR" || return 1
  echo "$pid"
}

daemon_running() { daemon_pid "$1" >/dev/null; }

# True if NAME has a pid file whose process is gone (right after a start, the process may
# still be the forked shell, so its command line is not checked here).
daemon_exited() { [ -s "$RUN_DIR/$1.pid" ] && [ ! -d "/proc/$(<"$RUN_DIR/$1.pid")" ]; }

# daemon_start NAME LOGFILE CMD...: runs CMD detached (own session), output to LOGFILE.
daemon_start() {
  local name=$1 logfile=$2
  shift 2
  daemon_running "$name" && return 0
  mkdir -p "$RUN_DIR" "$(dirname "$logfile")"
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

# daemon_stop NAME [SIGNAL]: SIGNAL (default TERM) to its process group, SIGKILL after 20 s.
daemon_stop() {
  local name=$1 sig=${2:-TERM} pid i
  pid=$(daemon_pid "$name") || { rm -f "$RUN_DIR/$name.pid"; return 0; }
  kill -"$sig" -- "-$pid" 2>/dev/null || kill -"$sig" "$pid" 2>/dev/null || true
  for i in $(seq 1 200); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ]; then
    log "$name (pid $pid) still running 20 s after SIG$sig: SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$name.pid"
}

# wait_for WHAT LOGFILE TIMEOUT CMD...: until CMD succeeds; dies naming LOGFILE on timeout,
# or at once if the daemon WHAT (when it has a pid file) has exited.
wait_for() {
  local what=$1 logfile=$2 timeout=$3
  shift 3
  local deadline=$((SECONDS + timeout))
  while ! "$@" >/dev/null 2>&1; do
    if daemon_exited "$what"; then
      die "$what exited during start: read $logfile"
    fi
    [ $SECONDS -lt $deadline ] || die "$what not ready after ${timeout}s: read $logfile"
    sleep 1
  done
}

http_ok() { curl -fsS -m 5 -o /dev/null "$1"; }
port_listening() { ss -ltnH "sport = :$1" | grep -q .; }

# A port must be free before a service of ours binds it.
need_free_port() {
  port_listening "$1" && die "port $1 ($2) is taken by another process: choose another FERRY_OS_PORT_BASE"
  return 0
}

# A uwsgi ini for one WSGI API (uwsgi ini NAME PORT WSGI_FILE PROCESSES [extra lines]).
write_uwsgi_ini() {
  local name=$1 port=$2 wsgi=$3 procs=$4 extra=${5:-}
  mkdir -p "$FERRY_OS_DIR/$name"
  cat >"$FERRY_OS_DIR/$name/uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:$port
wsgi-file = $wsgi
master = true
processes = $procs
threads = 1
lazy-apps = true
die-on-term = true
buffer-size = 65535
# Clients fail with RemoteDisconnected on kept-alive connections otherwise.
add-header = Connection: close
$extra
EOF
}

# uwsgi's master stops its workers at once on SIGINT (SIGTERM waits for them).
uwsgi_stop() { daemon_stop "$1" INT; }

uwsgi_start() {
  local name=$1
  daemon_start "$name" "$LOG_DIR/$name.log" uwsgi --ini "$FERRY_OS_DIR/$name/uwsgi.ini"
}

# -- pieces ---------------------------------------------------------------------------------

PIECES=${FERRY_OS_PIECES:-base ceph agent cinder nova}
load_pieces() {
  local p
  for p in $PIECES; do
    if [ -f "$PIECE_DIR/$p.sh" ]; then
      # shellcheck source=/dev/null
      source "$PIECE_DIR/$p.sh"
      LOADED+=("$p")
    elif [ -n "${FERRY_OS_PIECES:-}" ]; then
      die "no piece $PIECE_DIR/$p.sh"
    fi
  done
}

# The loaded pieces, or those named on the command line (checked), in start order.
selected() {
  local p
  for p in "${LOADED[@]}"; do
    if [ $# = 0 ] || [[ " $* " == *" $p "* ]]; then echo "$p"; fi
  done
  for p in "$@"; do
    [[ " ${LOADED[*]} " == *" $p "* ]] || die "no piece '$p' (pieces: ${LOADED[*]})"
  done
}

cmd_start() {
  [ "$(id -u)" = 0 ] || die "needs root (MariaDB, RabbitMQ, Ceph and libvirt run as root here)"
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  local t0=$SECONDS p t pieces
  pieces=$(selected "$@")
  log "starting in $FERRY_OS_DIR (ports $B..$((B + 43)), pieces: $(echo $pieces))"
  for p in $pieces; do
    if declare -F "${p}_begin" >/dev/null; then "${p}_begin"; fi
  done
  for p in $pieces; do
    t=$SECONDS
    "${p}_start"
    log "$p up after $((SECONDS - t)) s"
  done
  log "up in $((SECONDS - t0)) s; use: eval \"\$($OS_LAB_SCRIPT env)\""
}

cmd_stop() {
  local p t0=$SECONDS
  for p in $(selected "$@" | tac); do
    "${p}_stop" || log "stopping $p failed (continuing)"
  done
  log "stopped in $((SECONDS - t0)) s"
}

cmd_status() {
  local p rc=0
  for p in "${LOADED[@]}"; do "${p}_status" || rc=3; done
  return $rc
}

cmd_env() {
  echo "export FERRY_OS_DIR=$FERRY_OS_DIR"
  echo "export FERRY_OS_PORT_BASE=$FERRY_OS_PORT_BASE"
  echo "export OS_AUTH_URL=$KEYSTONE_URL"
  echo "export OS_USERNAME=admin OS_PASSWORD=$ADMIN_PASSWORD OS_PROJECT_NAME=admin"
  echo "export OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default"
  echo "export OS_REGION_NAME=$REGION OS_IDENTITY_API_VERSION=3"
  echo "export OS_VOLUME_API_VERSION=3.60 OS_COMPUTE_API_VERSION=2.87"
  echo "export LIBVIRT_URI='$LIBVIRT_URI'"
  echo "export CEPH_CONF_1=$CEPH_CONF_1 CEPH_CONF_2=$CEPH_CONF_2"
  echo "export FERRY_OS_MYSQL='mysql --protocol=tcp -h 127.0.0.1 -P $MYSQL_PORT -u $DB_USER -p$DB_PASSWORD'"
  local p
  for p in "${LOADED[@]}"; do
    if declare -F "${p}_env" >/dev/null; then "${p}_env"; fi
  done
}

cmd_purge() {
  cmd_stop
  [ -e "$FERRY_OS_DIR" ] || return 0
  [ -f "$FERRY_OS_DIR/.openstack-lab" ] || die "$FERRY_OS_DIR was not made by openstack-lab.sh: not deleting it"
  rm -rf "$FERRY_OS_DIR"
  log "deleted $FERRY_OS_DIR"
}

LOADED=()
load_pieces
case ${1:-} in
  start) shift && mkdir -p "$FERRY_OS_DIR" && touch "$FERRY_OS_DIR/.openstack-lab" && cmd_start "$@" ;;
  stop) shift && cmd_stop "$@" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  purge) cmd_purge ;;
  *) sed -n '2,10p' "$OS_LAB_SCRIPT" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
