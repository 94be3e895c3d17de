# shellcheck shell=bash
# Piece "nova" of openstack-lab.sh: a private libvirtd + virtlogd and Nova (api under uwsgi,
# conductor, scheduler, compute) with Ferry's compute driver.
#   $FERRY_OS_DIR/libvirt  libvirtd and virtlogd in a private mount namespace (scripts/libvirt-lab.sh:
#                          /etc/libvirt, /run/libvirt, /var/lib/libvirt ... are bind mounts of this
#                          directory), reached at $LIBVIRT_URI (socket= parameter)
#   $FERRY_OS_DIR/nova     nova.conf, api-paste.ini, uwsgi.ini, state, instances, locks
# nova-compute loads compute_driver = ferry_nova.driver.FerryLibvirtDriver: cinder-shim is on its
# PYTHONPATH and it runs as `python3 -m ferry_nova.compute` (nova-compute plus the import hook Nova 26
# needs for an out-of-tree driver, see ferry_nova/nova_alias.py); virt_type = qemu; mTLS to the
# agent as client "nova-compute".
# Cells: cell0 and cell1 in the databases base.sh creates; the compute host is discovered at start.
# Flavors ferry.tiny (128 MiB, 1 vCPU, no disk: boot from volume) and ferry.small (256 MiB).
#
# FERRY_NOVA_COPY_ENGINE=ferry|nova ([ferry] copy_engine): "nova" makes swap_volume use Nova's own
# block copy, for side-by-side comparisons on the same stack. To switch a running lab:
#   FERRY_NOVA_COPY_ENGINE=nova scripts/openstack-lab.sh start nova
# (start rewrites nova.conf and restarts nova-compute when the file changed).
# nova_libvirt_start must run before the agent starts (the agent enables live mirrors only when
# libvirt answers at its start): agent_start calls it when this piece is loaded.

NOVA_DIR=$FERRY_OS_DIR/nova
NOVA_CONF=$NOVA_DIR/nova.conf
NOVA_URL=http://127.0.0.1:$NOVA_API_PORT/v2.1

nova_libvirt_start() {
  "$REPO/scripts/libvirt-lab.sh" start "$LIBVIRT_DIR" >/dev/null 2>>"$LOG_DIR/libvirt-lab.log" ||
    die "libvirtd did not start: read $LIBVIRT_DIR/log/libvirtd.log and $LOG_DIR/libvirt-lab.log"
}

nova_libvirt_stop() {
  [ -d "$LIBVIRT_DIR" ] || return 0
  "$REPO/scripts/libvirt-lab.sh" stop "$LIBVIRT_DIR" 2>>"$LOG_DIR/libvirt-lab.log" || true
}

# Service sections of nova.conf: Nova's Keystone user "nova" (admin in project service).
nova_auth() {
  cat <<CONF
auth_type = password
auth_url = $KEYSTONE_URL
username = nova
password = $SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = $REGION
CONF
}

nova_conf() {
  mkdir -p "$NOVA_DIR"/{state,instances,lock}
  cp /etc/nova/api-paste.ini "$NOVA_DIR/api-paste.ini"
  cat >"$NOVA_CONF" <<CONF
# Written by scripts/openstack-lab.sh (piece nova). LAB ONLY.
[DEFAULT]
host = $COMPUTE_HOST
my_ip = 127.0.0.1
state_path = $NOVA_DIR/state
instances_path = $NOVA_DIR/instances
transport_url = $TRANSPORT_URL
compute_driver = ferry_nova.driver.FerryLibvirtDriver
enabled_apis = osapi_compute
heal_instance_info_cache_interval = -1
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $NOVA_DIR/api-paste.ini
[api_database]
connection = $(db_url nova_api)
[database]
connection = $(db_url nova)
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
service_token_roles_required = true
$(nova_auth)
[placement]
$(nova_auth)
[neutron]
$(nova_auth)
[cinder]
os_region_name = $REGION
$(nova_auth)
[service_user]
# Cinder 21.3 (CVE-2023-2088 fix) refuses to delete a Nova attachment, e.g. the old volume's at
# the end of a swap, unless the request carries a service token.
send_service_user_token = true
$(nova_auth)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = -1
[libvirt]
virt_type = qemu
connection_uri = $LIBVIRT_URI
cpu_mode = none
[glance]
# No Glance in the lab (boot from volume). Nova still builds an image URL for its legacy
# notifications and fails without an image endpoint; nothing listens on this port.
api_servers = http://127.0.0.1:$((FERRY_OS_PORT_BASE + 29))
[vnc]
enabled = false
[spice]
enabled = false
[oslo_concurrency]
lock_path = $NOVA_DIR/lock
[oslo_messaging_notifications]
driver = noop
[ferry]
agent_address = 127.0.0.1:$AGENT_PORT
tls_cert = $FERRY_OS_DIR/tls/nova-compute.crt
tls_key = $FERRY_OS_DIR/tls/nova-compute.key
tls_ca = $FERRY_OS_DIR/tls/ca.crt
copy_engine = ${FERRY_NOVA_COPY_ENGINE:-ferry}
ready_timeout = ${FERRY_NOVA_READY_TIMEOUT:-20}
throttle_guest = true
poll_interval = 1.0
progress_interval = 5
CONF
  write_uwsgi_ini nova "$NOVA_API_PORT" /usr/bin/nova-api-wsgi 2 \
    "env = OS_NOVA_CONFIG_FILES=$NOVA_DIR/api-paste.ini;$NOVA_CONF"
}

# Checksum of nova.conf: all of it, or the part before [ferry] (what every Nova service reads).
nova_conf_sum() {
  [ -f "$NOVA_CONF" ] || { echo none; return 0; }
  if [ "$1" = all ]; then md5sum <"$NOVA_CONF"; else sed '/^\[ferry\]/,$d' "$NOVA_CONF" | md5sum; fi
}

nova_manage() {
  nova-manage --config-file "$NOVA_CONF" "$@" >>"$LOG_DIR/nova-manage.log" 2>&1 ||
    die "nova-manage $* failed: read $LOG_DIR/nova-manage.log"
}

nova_cells() {
  [ -f "$NOVA_DIR/cells-ready" ] && return 0
  nova_manage api_db sync
  nova_manage cell_v2 map_cell0 --database_connection "$(db_url nova_cell0)"
  nova-manage --config-file "$NOVA_CONF" cell_v2 list_cells 2>/dev/null | grep -q ' cell1 ' ||
    nova_manage cell_v2 create_cell --name cell1
  nova_manage db sync
  touch "$NOVA_DIR/cells-ready"
}

# nova_api_call CHECK: a small novaclient session as admin; CHECK is Python using `nova`.
nova_api_call() {
  OS_AUTH_URL=$KEYSTONE_URL ADMIN_PASSWORD=$ADMIN_PASSWORD REGION=$REGION $PY -c "
import os, sys
from keystoneauth1 import loading, session
from novaclient import client
auth = loading.get_plugin_loader('password').load_from_options(
    auth_url=os.environ['OS_AUTH_URL'], username='admin', password=os.environ['ADMIN_PASSWORD'],
    project_name='admin', user_domain_name='Default', project_domain_name='Default')
nova = client.Client('2.53', session=session.Session(auth=auth), region_name=os.environ['REGION'])
$1"
}

nova_flavors() {
  nova_api_call "
have = {f.name for f in nova.flavors.list(is_public=None)}
for name, ram in (('ferry.tiny', 128), ('ferry.small', 256)):
    if name not in have:
        nova.flavors.create(name, ram, 1, 0)"
}

# The compute service is up and its host mapped to cell1 (discover_hosts is idempotent).
nova_compute_ready() {
  nova-manage --config-file "$NOVA_CONF" cell_v2 discover_hosts >>"$LOG_DIR/nova-manage.log" 2>&1 &&
    nova_api_call "
up = [s for s in nova.services.list(binary='nova-compute') if s.state == 'up']
sys.exit(0 if up and nova.hypervisors.list() else 1)"
}

nova_compute_start() {
  daemon_start nova-compute "$LOG_DIR/nova-compute.out" \
    env PYTHONPATH="$REPO/cinder-shim" $PY -m ferry_nova.compute \
    --config-file "$NOVA_CONF" --log-file "$LOG_DIR/nova-compute.log"
}

nova_start() {
  nova_libvirt_start
  local before_all before_nova s
  before_all=$(nova_conf_sum all) before_nova=$(nova_conf_sum nova)
  nova_conf
  # A changed nova.conf takes effect by restarting what reads it: only nova-compute when only
  # [ferry] (the last section) changed, e.g. FERRY_NOVA_COPY_ENGINE; otherwise every service.
  if [ "$before_nova" != "$(nova_conf_sum nova)" ]; then
    for s in nova-compute nova-scheduler nova-conductor nova; do
      if daemon_running $s; then log "nova.conf changed: restarting $s"; daemon_stop $s; fi
    done
  elif [ "$before_all" != "$(nova_conf_sum all)" ] && daemon_running nova-compute; then
    log "[ferry] of nova.conf changed: restarting nova-compute"
    daemon_stop nova-compute
  fi
  "$REPO/cinder-shim/scripts/gen-stubs.sh" >>"$LOG_DIR/gen-stubs.log" 2>&1 ||
    die "generating the gRPC stubs for ferry_nova failed: read $LOG_DIR/gen-stubs.log"
  nova_cells
  if ! daemon_running nova; then
    need_free_port "$NOVA_API_PORT" nova-api
    daemon_start nova "$LOG_DIR/nova-api.log" uwsgi --ini "$FERRY_OS_DIR/nova/uwsgi.ini"
  fi
  daemon_start nova-conductor "$LOG_DIR/nova-conductor.out" \
    nova-conductor --config-file "$NOVA_CONF" --log-file "$LOG_DIR/nova-conductor.log"
  daemon_start nova-scheduler "$LOG_DIR/nova-scheduler.out" \
    nova-scheduler --config-file "$NOVA_CONF" --log-file "$LOG_DIR/nova-scheduler.log"
  nova_compute_start
  wait_for nova "$LOG_DIR/nova-api.log" "$OS_TIMEOUT" http_ok "http://127.0.0.1:$NOVA_API_PORT/"
  nova_flavors >>"$LOG_DIR/nova-flavors.log" 2>&1 ||
    die "creating the flavors failed: read $LOG_DIR/nova-flavors.log and $LOG_DIR/nova-api.log"
  wait_for nova-compute "$LOG_DIR/nova-compute.log" "$OS_TIMEOUT" nova_compute_ready
}

nova_stop() {
  # Guests first (libvirt-lab stop destroys them), so that no QEMU outlives the lab.
  nova_libvirt_stop
  local s
  for s in nova-compute nova-scheduler nova-conductor nova; do daemon_stop "$s"; done
}

nova_status() {
  local s rc=0
  for s in nova nova-conductor nova-scheduler nova-compute; do
    if daemon_running $s; then echo "nova: $s running (pid $(daemon_pid $s))"; else
      echo "nova: $s stopped"
      rc=3
    fi
  done
  if "$REPO/scripts/libvirt-lab.sh" status "$LIBVIRT_DIR" >/dev/null; then
    echo "nova: libvirtd running ($LIBVIRT_DIR)"
  else
    echo "nova: libvirtd stopped"
    rc=3
  fi
  return $rc
}

nova_env() {
  echo "export NOVA_URL=$NOVA_URL FERRY_NOVA_CONF=$NOVA_CONF"
}
