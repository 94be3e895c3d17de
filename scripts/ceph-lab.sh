#!/usr/bin/env bash
# A single-node Ceph cluster for tests, benchmarks and a developer's own use.
# LAB ONLY: auth is off (unless --auth cephx), pools have one replica, everything
# listens on 127.0.0.1.
#
#   scripts/ceph-lab.sh start  NAME [--port P] [--pools "a b"] [--osd-size 20G] [--auth none|cephx]
#   scripts/ceph-lab.sh stop   NAME
#   scripts/ceph-lab.sh status NAME
#   scripts/ceph-lab.sh env    NAME      (prints shell exports: CEPH_CONF, ...)
#   scripts/ceph-lab.sh purge  NAME      (stop, then delete the cluster's directory)
#
# Everything of cluster NAME (config, mon/mgr/osd data, the OSD's sparse block
# file, logs, pid files, admin sockets) lives in one directory:
# $FERRY_LAB_DIR if set, else /tmp/ferry-ceph/NAME. Several clusters run side by
# side on different mon ports (the default port is derived from NAME and kept in
# the directory). start and stop are idempotent. Daemons are stopped through
# their own pid files, and only if the pid still runs that daemon with this
# cluster's config.
#
# --auth cephx (chosen when the cluster is created, kept in DIR/auth) turns cephx
# on for daemons and clients, and creates the keyring of a restricted RBD user,
# client.ferry (profile rbd), in DIR/client.ferry.keyring; `env` prints its path.
# The admin key stays in DIR/keyring, which ceph.conf names for every client.
set -euo pipefail

CEPH_TIMEOUT=${FERRY_CEPH_TIMEOUT:-30}   # seconds for any one ceph CLI call
READY_TIMEOUT=${FERRY_CEPH_READY_TIMEOUT:-120}

die() { echo "ceph-lab: $*" >&2; exit 1; }
log() { echo "ceph-lab[$NAME]: $*" >&2; }

usage() {
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

parse_args() {
  [ $# -ge 2 ] || usage
  CMD=$1 NAME=$2
  shift 2
  [[ $NAME =~ ^[A-Za-z0-9_-]+$ ]] || die "cluster name '$NAME' must be letters, digits, '-' or '_'"
  PORT="" POOLS="a b" OSD_SIZE=20G AUTH=""
  while [ $# -gt 0 ]; do
    case $1 in
      --port) PORT=${2:?--port needs a value}; shift 2 ;;
      --pools) POOLS=${2:?--pools needs a value}; shift 2 ;;
      --osd-size) OSD_SIZE=${2:?--osd-size needs a value}; shift 2 ;;
      --auth) AUTH=${2:?--auth needs none or cephx}; shift 2 ;;
      *) die "unknown option '$1'" ;;
    esac
  done
  DIR=${FERRY_LAB_DIR:-/tmp/ferry-ceph/$NAME}
  CONF=$DIR/ceph.conf
  LOGDIR=$DIR/log
  RUN=$DIR/run
}

# The port a new cluster gets when none is asked for: stable per name, even, and below the
# kernel's ephemeral range (32768-60999 on Debian): a port in that range can be held at any
# moment by some process's outgoing connection, and the mon then cannot bind it.
default_port() {
  local h
  h=$(printf '%s' "$NAME" | cksum | cut -d' ' -f1)
  echo $((20000 + (h % 2000) * 2))
}

# True if any socket (listening or connected) uses local port $1 or $1+1 (msgr v2 and v1).
port_in_use() {
  ss -tanH "( sport = :$1 or sport = :$(($1 + 1)) )" | grep -q .
}

choose_port() {
  if [ -f "$DIR/port" ]; then
    local kept
    kept=$(cat "$DIR/port")
    [ -z "$PORT" ] || [ "$PORT" = "$kept" ] ||
      die "cluster $NAME in $DIR already uses port $kept, not $PORT: stop it and remove $DIR to change"
    PORT=$kept
  fi
  if [ -z "$PORT" ]; then
    # A new cluster without --port: its default, or the next free even port after it.
    PORT=$(default_port)
    local tries=0
    while port_in_use "$PORT" && [ $tries -lt 50 ]; do
      PORT=$((PORT + 2)) tries=$((tries + 1))
    done
  fi
  [[ $PORT =~ ^[0-9]+$ ]] && [ "$PORT" -gt 1024 ] && [ "$PORT" -lt 65535 ] ||
    die "--port must be a number in 1025..65534, got '$PORT'"
}

# The auth mode is the cluster's for life: daemons' keys are made at creation.
choose_auth() {
  if [ -f "$DIR/auth" ]; then
    local kept
    kept=$(cat "$DIR/auth")
    [ -z "$AUTH" ] || [ "$AUTH" = "$kept" ] ||
      die "cluster $NAME in $DIR was created with --auth $kept, not $AUTH: purge it to change"
    AUTH=$kept
  fi
  [ -n "$AUTH" ] || AUTH=none
  [[ $AUTH == none || $AUTH == cephx ]] || die "--auth must be none or cephx, got '$AUTH'"
}

ceph_() { timeout "$CEPH_TIMEOUT" ceph --conf "$CONF" --connect-timeout "$CEPH_TIMEOUT" "$@"; }
rbd_() { timeout "$CEPH_TIMEOUT" rbd --conf "$CONF" "$@"; }

write_conf() {
  local fsid=$1
  cat >"$CONF" <<EOF
# Lab cluster $NAME, written by scripts/ceph-lab.sh. LAB ONLY: auth $AUTH.
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$PORT,v1:127.0.0.1:$((PORT + 1))]
public_addr = 127.0.0.1
cluster_addr = 127.0.0.1
ms_bind_ipv6 = false
auth_cluster_required = $AUTH
auth_service_required = $AUTH
auth_client_required = $AUTH
keyring = $DIR/keyring
run_dir = $RUN
admin_socket = $RUN/\$cluster-\$name.asok
pid_file = $RUN/\$name.pid
log_file = $LOGDIR/\$name.log
mon_cluster_log_file = $LOGDIR/cluster.log
crash_dir = $DIR/crash
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 2
mon_data_avail_crit = 1
mon_warn_on_insecure_global_id_reclaim_allowed = false
[client]
# Clients (tests, the agent, rbd CLI) share the name client.admin: no sockets.
admin_socket =
log_file = $LOGDIR/client.log
[mon]
mon_data = $DIR/mon/\$name
[mgr]
mgr_data = $DIR/mgr/\$name
mgr_initial_modules =
[osd]
osd_data = $DIR/osd/\$name
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = $(numfmt --from=iec "$OSD_SIZE")
bluestore_debug_enforce_settings = ssd
# Debian's ceph-osd has no tcmalloc: keep its caches small.
osd_memory_target = 939524096
bluestore_cache_autotune = false
bluestore_cache_size = 134217728
osd_max_object_name_len = 460
osd_max_object_namespace_len = 64
EOF
}

pid_of() { [ -f "$RUN/$1.pid" ] && cat "$RUN/$1.pid" 2>/dev/null || true; }

# True if pid file $1 names a live process running daemon $2 with this config.
is_ours() {
  local pid
  pid=$(pid_of "$1")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
  [[ $cmd == *"$2"* && $cmd == *"$CONF"* ]]
}

DAEMONS=("mon.a ceph-mon" "mgr.x ceph-mgr" "osd.0 ceph-osd")

start_daemon() {
  local name=$1 bin=$2 id=${1#*.}
  if is_ours "$name" "$bin"; then return 0; fi
  rm -f "$RUN/$name.pid"
  "$bin" --conf "$CONF" -i "$id" 2>>"$LOGDIR/$name.stderr" ||
    die "$bin -i $id failed to start: read $LOGDIR/$name.log and $LOGDIR/$name.stderr"
  local i
  for i in $(seq 1 50); do
    is_ours "$name" "$bin" && return 0
    sleep 0.2
  done
  die "$name did not write its pid file $RUN/$name.pid: read $LOGDIR/$name.log"
}

make_mon() {
  [ -f "$DIR/mon/mon.a/kv_backend" ] && return 0
  log "creating mon.a on 127.0.0.1:$PORT"
  ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n client.admin --cap mon 'allow *' \
    --cap osd 'allow *' --cap mgr 'allow *' --cap mds 'allow *' >/dev/null
  # The daemons' keys, imported by the mon at mkfs (used only with cephx).
  ceph-authtool "$DIR/keyring" --gen-key -n mgr.x --cap mon 'allow profile mgr' \
    --cap osd 'allow *' --cap mds 'allow *' >/dev/null
  ceph-authtool "$DIR/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' \
    --cap mgr 'allow profile osd' --cap osd 'allow *' >/dev/null
  monmaptool --create --fsid "$(cat "$DIR/fsid")" \
    --addv a "[v2:127.0.0.1:$PORT,v1:127.0.0.1:$((PORT + 1))]" "$DIR/monmap" >/dev/null
  mkdir -p "$DIR/mon/mon.a"
  ceph-mon --conf "$CONF" --mkfs -i a --monmap "$DIR/monmap" --keyring "$DIR/keyring" \
    2>>"$LOGDIR/mon.a.stderr" || die "ceph-mon --mkfs failed: read $LOGDIR/mon.a.log and $LOGDIR/mon.a.stderr"
}

make_pools() {
  local p
  for p in $POOLS; do
    if ! ceph_ osd pool ls | grep -qx "$p"; then
      log "creating pool $p"
      ceph_ osd pool create "$p" 16 16 >/dev/null
      ceph_ osd pool application enable "$p" rbd >/dev/null
    fi
  done
}

make_osd() {
  [ -f "$DIR/osd/osd.0/mkfs_done" ] && return 0
  log "creating osd.0 (bluestore on a sparse $OSD_SIZE file)"
  local uuid id
  uuid=$(cat /proc/sys/kernel/random/uuid)
  id=$(ceph_ osd new "$uuid")
  [ "$id" = 0 ] || die "expected osd id 0 from 'ceph osd new', got '$id' (a half-made cluster? remove $DIR)"
  mkdir -p "$DIR/osd/osd.0"
  ceph-osd --conf "$CONF" -i 0 --mkfs --osd-uuid "$uuid" 2>>"$LOGDIR/osd.0.stderr" >/dev/null ||
    die "ceph-osd --mkfs failed: read $LOGDIR/osd.0.log and $LOGDIR/osd.0.stderr"
}

wait_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT)) out=""
  while [ $SECONDS -lt $deadline ]; do
    out=$(ceph_ pg stat -f json 2>/dev/null || true)
    if [ -n "$out" ] && /usr/bin/python3 -c '
import json, sys
s = json.loads(sys.argv[1])
s = s.get("pg_summary", s)
states = {x["name"]: x["num"] for x in s.get("num_pg_by_state", [])}
n = s.get("num_pgs", 0)
sys.exit(0 if n > 0 and states.get("active+clean", 0) == n else 1)' "$out" 2>/dev/null; then
      return 0
    fi
    sleep 1
  done
  die "placement groups not active+clean after ${READY_TIMEOUT}s ($out): read $LOGDIR/osd.0.log and $LOGDIR/mon.a.log"
}

init_pools() {
  local p
  for p in $POOLS; do
    [ -f "$DIR/pool-$p.init" ] && continue
    rbd_ pool init "$p" || die "rbd pool init $p failed: read $LOGDIR/client.log"
    touch "$DIR/pool-$p.init"
  done
}

# cephx: the restricted RBD user tests and the agent connect as.
make_client_keyring() {
  [ "$AUTH" = cephx ] || return 0
  [ -s "$DIR/client.ferry.keyring" ] && return 0
  ceph_ auth get-or-create client.ferry mon 'profile rbd' osd 'profile rbd' mgr 'profile rbd' \
    -o "$DIR/client.ferry.keyring" || die "could not create client.ferry's keyring"
  chmod 600 "$DIR/client.ferry.keyring"
}

cmd_start() {
  choose_port
  choose_auth
  mkdir -p "$DIR" "$LOGDIR" "$RUN" "$DIR/crash" "$DIR/mgr/mgr.x"
  [ -f "$DIR/fsid" ] || cat /proc/sys/kernel/random/uuid >"$DIR/fsid"
  if ! is_ours mon.a ceph-mon && port_in_use "$PORT"; then
    die "port $PORT or $((PORT + 1)) is taken by another process: choose another with --port"
  fi
  echo "$PORT" >"$DIR/port"
  echo "$AUTH" >"$DIR/auth"
  write_conf "$(cat "$DIR/fsid")"
  make_mon
  start_daemon mon.a ceph-mon
  ceph_ mon enable-msgr2 >/dev/null 2>&1 || true
  start_daemon mgr.x ceph-mgr
  make_pools
  make_osd
  start_daemon osd.0 ceph-osd
  wait_ready
  init_pools
  make_client_keyring
  log "running: CEPH_CONF=$CONF (mon 127.0.0.1:$PORT, pools: $POOLS, auth: $AUTH)"
}

stop_daemon() {
  local name=$1 bin=$2 pid
  pid=$(pid_of "$name")
  [ -n "$pid" ] || return 0
  if ! is_ours "$name" "$bin"; then
    log "$name: pid $pid is not $bin with $CONF (stale pid file), not killing it"
    rm -f "$RUN/$name.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for i in $(seq 1 100); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ] && is_ours "$name" "$bin"; then
    log "$name (pid $pid) ignored SIGTERM for 10s: sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$name.pid"
}

cmd_stop() {
  [ -d "$DIR" ] || { log "not created ($DIR absent)"; return 0; }
  local i
  for ((i = ${#DAEMONS[@]} - 1; i >= 0; i--)); do
    # shellcheck disable=SC2086
    stop_daemon ${DAEMONS[$i]}
  done
  log "stopped"
}

cmd_status() {
  [ -d "$DIR" ] || { echo "$NAME: not created ($DIR absent)"; return 3; }
  local d state=0
  for d in "${DAEMONS[@]}"; do
    # shellcheck disable=SC2086
    set -- $d
    if is_ours "$1" "$2"; then
      echo "$NAME: $1 running (pid $(pid_of "$1"))"
    else
      echo "$NAME: $1 stopped"
      state=3
    fi
  done
  [ $state = 0 ] && ceph_ health 2>/dev/null | sed "s/^/$NAME: health /" || true
  return $state
}

cmd_purge() {
  cmd_stop
  [ -f "$CONF" ] || { [ ! -e "$DIR" ] && return 0; }
  [ -f "$CONF" ] && grep -q 'written by scripts/ceph-lab.sh' "$CONF" ||
    die "$DIR does not look like a ceph-lab cluster: not deleting it"
  rm -rf "$DIR"
  log "deleted $DIR"
}

cmd_env() {
  [ -f "$CONF" ] || die "cluster $NAME not created: run '$0 start $NAME' first"
  echo "export CEPH_CONF=$CONF"
  echo "export FERRY_CEPH_DIR=$DIR"
  echo "export FERRY_CEPH_MON_PORT=$(cat "$DIR/port")"
  echo "export FERRY_CEPH_LOG_DIR=$LOGDIR"
  echo "export FERRY_CEPH_AUTH=$(cat "$DIR/auth" 2>/dev/null || echo none)"
  if [ -s "$DIR/client.ferry.keyring" ]; then
    echo "export FERRY_CEPH_CLIENT=ferry"
    echo "export FERRY_CEPH_CLIENT_KEYRING=$DIR/client.ferry.keyring"
  fi
}

parse_args "$@"
case $CMD in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  purge) cmd_purge ;;
  *) usage ;;
esac
