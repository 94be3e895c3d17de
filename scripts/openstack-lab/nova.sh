# Nova for the local OpenStack stand-in (sourced by scripts/openstack-lab.sh; functions only).
#
#   nova_libvirt_start / nova_libvirt_stop   private libvirtd + virtlogd (scripts/libvirt-lab.sh)
#                                            under $FERRY_OS_DIR/libvirt; start it before the agent
#   nova_start / nova_stop / nova_status     nova-api (uwsgi), conductor, scheduler, compute
#   nova_env                                 exports for clients (LIBVIRT_URI, NOVA_URL)
#   nova_restart_compute                     stop and start nova-compute (e.g. after changing
#                                            FERRY_NOVA_COPY_ENGINE=ferry|nova)
#
# nova-compute loads compute_driver = ferry_nova.driver.FerryLibvirtDriver (cinder-shim on its
# PYTHONPATH), virt_type = qemu, connected to the private libvirtd through its socket URI.
# Needs from the sourcing script: FERRY_OS_DIR FERRY_OS_PORT_BASE FERRY_OS_MYSQL FERRY_OS_DB_URL
# FERRY_OS_RABBIT_URL OS_AUTH_URL OS_USERNAME OS_PASSWORD OS_PROJECT_NAME FERRY_AGENT_ADDR and,
# for mTLS, FERRY_TLS_CA FERRY_TLS_CERT FERRY_TLS_KEY. Everything Nova writes is under
# $FERRY_OS_DIR/nova; logs in $FERRY_OS_DIR/nova/log.
# Port: nova-api on FERRY_OS_PORT_BASE + 20.

NOVA_REPO=${NOVA_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NOVA_PY=/usr/bin/python3

nova_vars() {
  NOVA_DIR=$FERRY_OS_DIR/nova
  NOVA_LV_DIR=$FERRY_OS_DIR/libvirt
  NOVA_PORT=$((FERRY_OS_PORT_BASE + 20))
  NOVA_URL=http://127.0.0.1:$NOVA_PORT/v2.1
  LIBVIRT_URI="qemu:///system?socket=$NOVA_LV_DIR/run/libvirt-sock"
  NOVA_CONF=$NOVA_DIR/etc/nova.conf
  NOVA_COPY_ENGINE=${FERRY_NOVA_COPY_ENGINE:-ferry}
  export LIBVIRT_URI NOVA_URL
}

nova_log() { echo "openstack-lab[nova]: $*" >&2; }
nova_die() { nova_log "$*"; return 1; }

# -- libvirt ---------------------------------------------------------------------------------

nova_libvirt_start() {
  nova_vars
  "$NOVA_REPO/scripts/libvirt-lab.sh" start "$NOVA_LV_DIR" >/dev/null ||
    nova_die "libvirtd did not start; see $NOVA_LV_DIR/log/libvirtd.log"
}

nova_libvirt_stop() {
  nova_vars
  [[ -d $NOVA_LV_DIR ]] || return 0
  "$NOVA_REPO/scripts/libvirt-lab.sh" stop "$NOVA_LV_DIR" 2>/dev/null || true
}

# -- processes -------------------------------------------------------------------------------

# The pid in DIR/run/NAME.pid if that process still runs with this lab's nova config.
nova_pid() {
  local file=$NOVA_DIR/run/$1.pid pid
  [[ -s $file ]] || return 1
  pid=$(<"$file")
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -q -- "$NOVA_DIR/etc/" || return 1
  echo "$pid"
}

nova_spawn() {   # NAME COMMAND... : detached, logged, pid file
  local name=$1; shift
  nova_pid "$name" >/dev/null && return 0
  PYTHONPATH=$NOVA_REPO/cinder-shim${PYTHONPATH:+:$PYTHONPATH} \
    setsid "$@" >>"$NOVA_DIR/log/$name.out" 2>&1 </dev/null &
  echo $! >"$NOVA_DIR/run/$name.pid"
}

nova_kill() {    # NAME
  local pid
  pid=$(nova_pid "$1") || { rm -f "$NOVA_DIR/run/$1.pid"; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  rm -f "$NOVA_DIR/run/$1.pid"
}

# -- configuration ---------------------------------------------------------------------------

nova_auth_section() {   # the admin user, for every service-to-service call (lab only)
  cat <<EOF
auth_type = password
auth_url = $OS_AUTH_URL
username = $OS_USERNAME
password = $OS_PASSWORD
project_name = $OS_PROJECT_NAME
user_domain_name = ${OS_USER_DOMAIN_NAME:-Default}
project_domain_name = ${OS_PROJECT_DOMAIN_NAME:-Default}
region_name = RegionOne
EOF
}

nova_ferry_section() {
  echo "agent_address = ${FERRY_AGENT_ADDR:-127.0.0.1:7420}"
  if [[ -n ${FERRY_TLS_CERT:-} ]]; then
    echo "tls_cert = $FERRY_TLS_CERT"
    echo "tls_key = $FERRY_TLS_KEY"
    echo "tls_ca = $FERRY_TLS_CA"
    [[ -n ${FERRY_TLS_SERVER_NAME:-} ]] && echo "tls_server_name = $FERRY_TLS_SERVER_NAME"
  fi
  cat <<EOF
copy_engine = $NOVA_COPY_ENGINE
ready_timeout = ${FERRY_NOVA_READY_TIMEOUT:-20}
throttle_guest = true
poll_interval = 1.0
progress_interval = 5
EOF
}

nova_write_config() {
  mkdir -p "$NOVA_DIR"/{etc,log,run,state,instances,lock}
  cp /etc/nova/api-paste.ini "$NOVA_DIR/etc/api-paste.ini"
  cat >"$NOVA_CONF" <<EOF
[DEFAULT]
state_path = $NOVA_DIR/state
instances_path = $NOVA_DIR/instances
transport_url = $FERRY_OS_RABBIT_URL
my_ip = 127.0.0.1
host = ferry-compute
compute_driver = ferry_nova.driver.FerryLibvirtDriver
enabled_apis = osapi_compute
use_rootwrap_daemon = false
heal_instance_info_cache_interval = -1
debug = false

[api]
auth_strategy = keystone

[wsgi]
api_paste_config = $NOVA_DIR/etc/api-paste.ini

[api_database]
connection = $FERRY_OS_DB_URL/nova_api

[database]
connection = $FERRY_OS_DB_URL/nova

[keystone_authtoken]
www_authenticate_uri = $OS_AUTH_URL
$(nova_auth_section)

[placement]
$(nova_auth_section)

[neutron]
$(nova_auth_section)

[cinder]
os_region_name = RegionOne
$(nova_auth_section)

[service_user]
send_service_user_token = false

[conductor]
workers = 1

[scheduler]
workers = 1
discover_hosts_in_cells_interval = -1

[libvirt]
virt_type = qemu
connection_uri = $LIBVIRT_URI
cpu_mode = none

[compute]
max_concurrent_builds = 2

[vnc]
enabled = false

[spice]
enabled = false

[oslo_concurrency]
lock_path = $NOVA_DIR/lock

[oslo_messaging_notifications]
driver = noop

[ferry]
$(nova_ferry_section)
EOF
  cat >"$NOVA_DIR/etc/nova-api-uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
master = true
processes = 2
threads = 1
enable-threads = true
lazy-apps = true
die-on-term = true
http-socket = 127.0.0.1:$NOVA_PORT
wsgi-file = /usr/bin/nova-api-wsgi
add-header = Connection: close
buffer-size = 65535
env = OS_NOVA_CONFIG_FILES=$NOVA_DIR/etc/api-paste.ini;$NOVA_CONF
logto = $NOVA_DIR/log/nova-api.log

EOF
}

# -- databases, cells, Keystone, flavors -----------------------------------------------------

nova_manage() { nova-manage --config-file "$NOVA_CONF" "$@" >>"$NOVA_DIR/log/nova-manage.log" 2>&1; }

nova_db_setup() {
  [[ -f $NOVA_DIR/state/db-ready ]] && return 0
  local db
  for db in nova_api nova nova_cell0; do
    $FERRY_OS_MYSQL -e "CREATE DATABASE IF NOT EXISTS $db CHARACTER SET utf8mb4" ||
      nova_die "cannot create database $db with '$FERRY_OS_MYSQL'" || return 1
  done
  nova_manage api_db sync || nova_die "nova-manage api_db sync failed; see $NOVA_DIR/log/nova-manage.log" || return 1
  nova_manage cell_v2 map_cell0 --database_connection "$FERRY_OS_DB_URL/nova_cell0" ||
    nova_die "map_cell0 failed; see $NOVA_DIR/log/nova-manage.log" || return 1
  nova-manage --config-file "$NOVA_CONF" cell_v2 list_cells 2>/dev/null | grep -q ' cell1 ' ||
    nova_manage cell_v2 create_cell --name cell1 ||
    nova_die "create_cell failed; see $NOVA_DIR/log/nova-manage.log" || return 1
  nova_manage db sync || nova_die "nova-manage db sync failed; see $NOVA_DIR/log/nova-manage.log" || return 1
  touch "$NOVA_DIR/state/db-ready"
}

# Keystone service + endpoint for Nova, and the flavors; idempotent, one Python process each.
nova_keystone_register() {
  NOVA_URL=$NOVA_URL $NOVA_PY - <<'EOF'
import os
from keystoneauth1 import loading, session
from keystoneclient.v3 import client
auth = loading.get_plugin_loader('password').load_from_options(
    auth_url=os.environ['OS_AUTH_URL'], username=os.environ['OS_USERNAME'],
    password=os.environ['OS_PASSWORD'], project_name=os.environ['OS_PROJECT_NAME'],
    user_domain_name=os.environ.get('OS_USER_DOMAIN_NAME', 'Default'),
    project_domain_name=os.environ.get('OS_PROJECT_DOMAIN_NAME', 'Default'))
ks = client.Client(session=session.Session(auth=auth))
svc = [s for s in ks.services.list(type='compute')]
svc = svc[0] if svc else ks.services.create(name='nova', type='compute')
url = os.environ['NOVA_URL']
have = {(e.interface, e.url) for e in ks.endpoints.list(service=svc)}
for iface in ('public', 'internal', 'admin'):
    if (iface, url) not in have:
        ks.endpoints.create(service=svc, url=url, interface=iface, region='RegionOne')
EOF
}

nova_flavors() {
  $NOVA_PY - <<'EOF'
import os
from keystoneauth1 import loading, session
from novaclient import client
auth = loading.get_plugin_loader('password').load_from_options(
    auth_url=os.environ['OS_AUTH_URL'], username=os.environ['OS_USERNAME'],
    password=os.environ['OS_PASSWORD'], project_name=os.environ['OS_PROJECT_NAME'],
    user_domain_name=os.environ.get('OS_USER_DOMAIN_NAME', 'Default'),
    project_domain_name=os.environ.get('OS_PROJECT_DOMAIN_NAME', 'Default'))
nova = client.Client('2.37', session=session.Session(auth=auth), region_name='RegionOne')
have = {f.name for f in nova.flavors.list(is_public=None)}
for name, ram, vcpus in (('ferry.tiny', 128, 1), ('ferry.small', 256, 1)):
    if name not in have:
        nova.flavors.create(name, ram, vcpus, 0)
EOF
}

nova_api_answers() { curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$NOVA_PORT/" 2>/dev/null; }

nova_wait() {   # WHAT SECONDS COMMAND...
  local what=$1 secs=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < end)) || { nova_log "$what not ready after ${secs}s"; return 1; }
    sleep 2
  done
}

nova_compute_up() {
  nova-manage --config-file "$NOVA_CONF" cell_v2 discover_hosts >>"$NOVA_DIR/log/nova-manage.log" 2>&1 &&
    $NOVA_PY - <<'EOF'
import os, sys
from keystoneauth1 import loading, session
from novaclient import client
auth = loading.get_plugin_loader('password').load_from_options(
    auth_url=os.environ['OS_AUTH_URL'], username=os.environ['OS_USERNAME'],
    password=os.environ['OS_PASSWORD'], project_name=os.environ['OS_PROJECT_NAME'],
    user_domain_name=os.environ.get('OS_USER_DOMAIN_NAME', 'Default'),
    project_domain_name=os.environ.get('OS_PROJECT_DOMAIN_NAME', 'Default'))
nova = client.Client('2.53', session=session.Session(auth=auth), region_name='RegionOne')
up = [s for s in nova.services.list(binary='nova-compute') if s.state == 'up']
hyp = nova.hypervisors.list()
sys.exit(0 if up and hyp else 1)
EOF
}

# -- start / stop ----------------------------------------------------------------------------

nova_start_compute() {
  nova_spawn nova-compute nova-compute --config-file "$NOVA_CONF" \
    --log-file "$NOVA_DIR/log/nova-compute.log"
}

nova_start() {
  nova_vars
  nova_libvirt_start || return 1
  nova_write_config
  "$NOVA_REPO/cinder-shim/scripts/gen-stubs.sh" >/dev/null ||
    nova_die "gRPC stubs for ferry_nova could not be generated" || return 1
  nova_db_setup || return 1
  nova_keystone_register >>"$NOVA_DIR/log/keystone-register.log" 2>&1 ||
    nova_die "registering Nova in Keystone failed; see $NOVA_DIR/log/keystone-register.log" || return 1
  nova_spawn nova-api uwsgi --ini "$NOVA_DIR/etc/nova-api-uwsgi.ini"
  nova_spawn nova-conductor nova-conductor --config-file "$NOVA_CONF" \
    --log-file "$NOVA_DIR/log/nova-conductor.log"
  nova_spawn nova-scheduler nova-scheduler --config-file "$NOVA_CONF" \
    --log-file "$NOVA_DIR/log/nova-scheduler.log"
  nova_start_compute
  nova_wait nova-api 180 nova_api_answers ||
    nova_die "see $NOVA_DIR/log/nova-api.log" || return 1
  nova_flavors >>"$NOVA_DIR/log/flavors.log" 2>&1 ||
    nova_die "flavors not created; see $NOVA_DIR/log/flavors.log" || return 1
  nova_wait nova-compute 240 nova_compute_up ||
    nova_die "see $NOVA_DIR/log/nova-compute.log and nova-conductor.log" || return 1
  nova_log "up: $NOVA_URL, compute driver FerryLibvirtDriver (copy engine $NOVA_COPY_ENGINE)"
}

nova_restart_compute() {
  nova_vars
  nova_kill nova-compute
  nova_write_config
  nova_start_compute
  sleep 5
  nova_wait nova-compute 240 nova_compute_up ||
    nova_die "see $NOVA_DIR/log/nova-compute.log" || return 1
  nova_log "nova-compute restarted (copy engine $NOVA_COPY_ENGINE)"
}

nova_stop() {
  nova_vars
  [[ -d $NOVA_DIR ]] || { nova_libvirt_stop; return 0; }
  local s
  # Guests first (libvirt-lab stop destroys them), then the services.
  nova_libvirt_stop
  for s in nova-compute nova-scheduler nova-conductor nova-api; do nova_kill "$s"; done
}

nova_status() {
  nova_vars
  local s rc=0
  for s in nova-api nova-conductor nova-scheduler nova-compute; do
    if nova_pid "$s" >/dev/null; then echo "$s: running"; else echo "$s: stopped"; rc=1; fi
  done
  "$NOVA_REPO/scripts/libvirt-lab.sh" status "$NOVA_LV_DIR" | sed 's/^/libvirtd: /' || rc=1
  return $rc
}

nova_env() {
  nova_vars
  printf 'export LIBVIRT_URI=%q\nexport NOVA_URL=%q\n' "$LIBVIRT_URI" "$NOVA_URL"
}
