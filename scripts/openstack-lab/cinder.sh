# shellcheck shell=bash
# Piece "cinder" of openstack-lab.sh: cinder-api (uwsgi), cinder-scheduler and cinder-volume.
# Backends (volume types of the same names, volume_backend_name = backend name):
#   ferry-a  ferry_cinder on cluster 1 pool volumes-a   (Ferry cluster id lab1)
#   ferry-b  ferry_cinder on cluster 1 pool volumes-b   (lab1)
#   ferry-c  ferry_cinder on cluster 2 pool volumes-c   (lab2)
#   stock-a  Cinder's stock RBDDriver on cluster 1 pool stock-a
#   stock-b  Cinder's stock RBDDriver on cluster 1 pool stock-b
# Type "ferry" matches any ferry-* backend: `cinder migrate` keeps the type, so volumes to be
# moved with it need a type that more than one backend satisfies.
# cinder-volume finds ferry_cinder through PYTHONPATH=cinder-shim (gRPC stubs generated first).
# Volume hosts are $COMPUTE_HOST@<backend>#<pool>. rbd_user stays unset (no cephx in the lab).

CINDER_DIR=$FERRY_OS_DIR/cinder
CINDER_CONF=$CINDER_DIR/cinder.conf
CINDER_BACKENDS="ferry-a ferry-b ferry-c stock-a stock-b"

cinder_backend_section() { # NAME DRIVER CEPH_CONF POOL [FERRY_CLUSTER_ID]
  cat <<CONF
[$1]
volume_backend_name = $1
volume_driver = $2
rbd_ceph_conf = $3
rbd_pool = $4
rbd_secret_uuid =
report_discard_supported = true
CONF
  [ -n "${5:-}" ] || return 0
  cat <<CONF
ferry_agent_address = 127.0.0.1:$AGENT_PORT
ferry_tls_cert = $TLS_DIR/cinder-volume.crt
ferry_tls_key = $TLS_DIR/cinder-volume.key
ferry_tls_ca = $TLS_DIR/ca.crt
ferry_cluster_id = $5
ferry_bandwidth = 0
ferry_migration_timeout = 1800
ferry_poll_interval = 1
ferry_progress_interval = 5
CONF
}

cinder_conf() {
  mkdir -p "$CINDER_DIR/state" "$CINDER_DIR/lock"
  local ferry=ferry_cinder.driver.FerryRBDDriver stock=cinder.volume.drivers.rbd.RBDDriver
  cat >"$CINDER_CONF" <<CONF
# Written by scripts/openstack-lab.sh (piece cinder). LAB ONLY.
[DEFAULT]
host = $COMPUTE_HOST
my_ip = 127.0.0.1
state_path = $CINDER_DIR/state
transport_url = $TRANSPORT_URL
auth_strategy = keystone
api_paste_config = /etc/cinder/api-paste.ini
rootwrap_config = /etc/cinder/rootwrap.conf
enabled_backends = $(echo "$CINDER_BACKENDS" | tr ' ' ,)
default_volume_type = ferry-a
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = $CINDER_PORT
use_stderr = false
[database]
connection = $(db_url cinder)
[oslo_concurrency]
lock_path = $CINDER_DIR/lock
[oslo_messaging_notifications]
driver = noop
[coordination]
backend_url = file://$CINDER_DIR/lock
$(authtoken_section cinder)
[nova]
auth_type = password
auth_url = $KEYSTONE_URL
username = nova
password = $SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = $REGION
interface = public
$(cinder_backend_section ferry-a $ferry "$CEPH_CONF_1" volumes-a lab1)
$(cinder_backend_section ferry-b $ferry "$CEPH_CONF_1" volumes-b lab1)
$(cinder_backend_section ferry-c $ferry "$CEPH_CONF_2" volumes-c lab2)
$(cinder_backend_section stock-a $stock "$CEPH_CONF_1" stock-a)
$(cinder_backend_section stock-b $stock "$CEPH_CONF_1" stock-b)
CONF
  write_uwsgi_ini cinder-api "$CINDER_PORT" /usr/bin/cinder-wsgi 2 \
    "pyargv = --config-file $CINDER_CONF --log-file $LOG_DIR/cinder-api.log"
}

cinder_start() {
  mkdir -p "$CINDER_DIR"
  cinder_conf
  if [ ! -f "$CINDER_DIR/synced" ]; then
    cinder-manage --config-file "$CINDER_CONF" db sync >>"$LOG_DIR/cinder-manage.log" 2>&1 ||
      die "cinder-manage db sync failed: read $LOG_DIR/cinder-manage.log"
    touch "$CINDER_DIR/synced"
  fi
  "$REPO/cinder-shim/scripts/gen-stubs.sh" >"$LOG_DIR/gen-stubs.log" 2>&1 ||
    die "generating the gRPC stubs of cinder-shim failed: read $LOG_DIR/gen-stubs.log"
  if ! daemon_running cinder-api; then
    need_free_port "$CINDER_PORT" cinder-api
    uwsgi_start cinder-api
  fi
  daemon_start cinder-scheduler "$LOG_DIR/cinder-scheduler.log" \
    cinder-scheduler --config-file "$CINDER_CONF" --log-file "$LOG_DIR/cinder-scheduler.log"
  PYTHONPATH=$REPO/cinder-shim daemon_start cinder-volume "$LOG_DIR/cinder-volume.log" \
    env PYTHONPATH="$REPO/cinder-shim" \
    cinder-volume --config-file "$CINDER_CONF" --log-file "$LOG_DIR/cinder-volume.log"
  wait_for cinder-api "$LOG_DIR/cinder-api.log" "$OS_TIMEOUT" \
    http_ok "http://127.0.0.1:$CINDER_PORT/"
  # Volume types, then every backend's pool known to the scheduler (migrations need it).
  cinder_admin_env $PY "$PIECE_DIR/cinder_setup.py" --backends "$CINDER_BACKENDS" \
    --timeout "$OS_TIMEOUT" >>"$LOG_DIR/cinder-setup.log" 2>&1 ||
    die "Cinder's backends did not all come up: read $LOG_DIR/cinder-setup.log, then" \
      "$LOG_DIR/cinder-volume.log and $LOG_DIR/cinder-scheduler.log"
}

cinder_admin_env() {
  env OS_AUTH_URL="$KEYSTONE_URL" OS_USERNAME=admin OS_PASSWORD="$ADMIN_PASSWORD" \
    OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default \
    OS_REGION_NAME="$REGION" "$@"
}

cinder_stop() {
  daemon_stop cinder-volume
  daemon_stop cinder-scheduler
  uwsgi_stop cinder-api
}

cinder_status() {
  local s rc=0
  for s in cinder-api cinder-scheduler cinder-volume; do
    if daemon_running $s; then echo "cinder: $s running (pid $(daemon_pid $s))"; else
      echo "cinder: $s stopped"
      rc=3
    fi
  done
  return $rc
}

cinder_env() {
  echo "export CINDER_CONF=$CINDER_CONF FERRY_OS_HOST=$COMPUTE_HOST"
  echo "export CINDER_VOLUME_LOG=$LOG_DIR/cinder-volume.log"
}
