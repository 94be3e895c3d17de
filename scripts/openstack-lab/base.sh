# shellcheck shell=bash
# Piece "base" of openstack-lab.sh: MariaDB (own datadir and port), RabbitMQ (detached, own
# ports and epmd), Keystone and Placement (uwsgi), a fake Neutron, and the Keystone records
# (service users, services, endpoints) of every service of the lab, Nova's included.

MYSQL_DIR=$FERRY_OS_DIR/mysql
MYSQL_SOCK=$RUN_DIR/mysqld.sock
RABBIT_DIR=$FERRY_OS_DIR/rabbitmq
RABBIT_NODE=ferry-os-$FERRY_OS_PORT_BASE@localhost
SERVICE_USERS="cinder nova placement neutron ferry"

mysql_root() { timeout 30 mysql --no-defaults --socket="$MYSQL_SOCK" -u root "$@"; }

mysql_start() {
  if [ ! -d "$MYSQL_DIR/data/mysql" ]; then
    mkdir -p "$MYSQL_DIR/data"
    mariadb-install-db --no-defaults --datadir="$MYSQL_DIR/data" --user=root \
      --auth-root-authentication-method=socket --skip-test-db >"$LOG_DIR/mysql-install.log" 2>&1 ||
      die "mariadb-install-db failed: read $LOG_DIR/mysql-install.log"
  fi
  if ! daemon_running mysql; then
    need_free_port "$MYSQL_PORT" MariaDB
    daemon_start mysql "$LOG_DIR/mysql.log" mariadbd --no-defaults --user=root \
      --datadir="$MYSQL_DIR/data" --socket="$MYSQL_SOCK" --port="$MYSQL_PORT" \
      --bind-address=127.0.0.1 --pid-file="$MYSQL_DIR/mariadbd.pid" --skip-name-resolve \
      --log-error="$LOG_DIR/mysql.log" --max-connections=1000 --innodb-buffer-pool-size=128M \
      --innodb-flush-log-at-trx-commit=2 --character-set-server=utf8mb4
  fi
  wait_for mysql "$LOG_DIR/mysql.log" "$OS_TIMEOUT" mysql_root -e 'select 1'
  mysql_root <<SQL || die "creating the lab databases failed: read $LOG_DIR/mysql.log"
CREATE DATABASE IF NOT EXISTS keystone; CREATE DATABASE IF NOT EXISTS placement;
CREATE DATABASE IF NOT EXISTS cinder; CREATE DATABASE IF NOT EXISTS nova_api;
CREATE DATABASE IF NOT EXISTS nova; CREATE DATABASE IF NOT EXISTS nova_cell0;
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1';
SQL
}

rabbit_env() {
  env HOME="$RABBIT_DIR" RABBITMQ_CONF_ENV_FILE=/dev/null RABBITMQ_NODENAME="$RABBIT_NODE" \
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBIT_PORT" \
    RABBITMQ_DIST_PORT="$RABBIT_DIST_PORT" ERL_EPMD_PORT="$EPMD_PORT" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_MNESIA_BASE="$RABBIT_DIR/mnesia" RABBITMQ_LOG_BASE="$LOG_DIR/rabbitmq" \
    RABBITMQ_PID_FILE="$RUN_DIR/rabbitmq.pid" RABBITMQ_CONFIG_FILE="$RABBIT_DIR/rabbitmq" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$RABBIT_DIR/enabled_plugins" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
    RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" "$@"
}

rabbit_start() {
  if daemon_running rabbitmq; then return 0; fi
  need_free_port "$RABBIT_PORT" RabbitMQ
  mkdir -p "$RABBIT_DIR" "$LOG_DIR/rabbitmq"
  echo '[].' >"$RABBIT_DIR/enabled_plugins"
  # guest may log in from loopback only, which is all this lab uses.
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users.guest = true\n' "$RABBIT_PORT" \
    >"$RABBIT_DIR/rabbitmq.conf"
  rm -f "$RUN_DIR/rabbitmq.pid"
  # The /usr/sbin wrapper switches user and drops the environment: call the server itself.
  rabbit_env /usr/lib/rabbitmq/bin/rabbitmq-server -detached >>"$LOG_DIR/rabbitmq-start.log" 2>&1 ||
    die "rabbitmq-server did not start: read $LOG_DIR/rabbitmq-start.log and $LOG_DIR/rabbitmq/"
  wait_for rabbitmq "$LOG_DIR/rabbitmq/" "$OS_TIMEOUT" port_listening "$RABBIT_PORT"
}

rabbit_stop() {
  daemon_stop rabbitmq
  # epmd outlives the node; it is ours if it serves our port.
  if port_listening "$EPMD_PORT"; then
    ERL_EPMD_PORT=$EPMD_PORT timeout 10 epmd -kill >/dev/null 2>&1 || true
  fi
}

keystone_conf() {
  local d=$FERRY_OS_DIR/keystone
  mkdir -p "$d/fernet-keys" "$d/credential-keys"
  cat >"$d/keystone.conf" <<CONF
[DEFAULT]
log_file = $LOG_DIR/keystone.log
[database]
connection = $(db_url keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $d/fernet-keys
[credential]
key_repository = $d/credential-keys
[cache]
enabled = false
CONF
  write_uwsgi_ini keystone "$KEYSTONE_PORT" /usr/bin/keystone-wsgi-public 2 \
    "env = OS_KEYSTONE_CONFIG_FILES=$d/keystone.conf"
}

keystone_start() {
  local d=$FERRY_OS_DIR/keystone km
  keystone_conf
  km() { keystone-manage --config-file "$d/keystone.conf" "$@" >>"$LOG_DIR/keystone-manage.log" 2>&1; }
  if [ ! -f "$d/bootstrapped" ]; then
    km db_sync || die "keystone-manage db_sync failed: read $LOG_DIR/keystone-manage.log"
    km fernet_setup --keystone-user root --keystone-group root &&
      km credential_setup --keystone-user root --keystone-group root ||
      die "keystone-manage fernet_setup failed: read $LOG_DIR/keystone-manage.log"
    km bootstrap --bootstrap-password "$ADMIN_PASSWORD" --bootstrap-region-id "$REGION" \
      --bootstrap-admin-url "$KEYSTONE_URL" --bootstrap-internal-url "$KEYSTONE_URL" \
      --bootstrap-public-url "$KEYSTONE_URL" ||
      die "keystone-manage bootstrap failed: read $LOG_DIR/keystone-manage.log"
    touch "$d/bootstrapped"
  fi
  if ! daemon_running keystone; then
    need_free_port "$KEYSTONE_PORT" Keystone
    uwsgi_start keystone
  fi
  wait_for keystone "$LOG_DIR/keystone.log" "$OS_TIMEOUT" http_ok "$KEYSTONE_URL"
  if [ ! -f "$d/registered" ]; then
    # One Python process for every user, service and endpoint (the CLI costs seconds per call).
    $PY "$PIECE_DIR/keystone_setup.py" \
      --auth-url "$KEYSTONE_URL" --admin-password "$ADMIN_PASSWORD" --region "$REGION" \
      --service-password "$SERVICE_PASSWORD" --users "$SERVICE_USERS" \
      --service "placement placement http://127.0.0.1:$PLACEMENT_PORT" \
      --service "neutron network http://127.0.0.1:$NEUTRON_PORT" \
      --service "cinderv3 volumev3 http://127.0.0.1:$CINDER_PORT/v3/%(project_id)s" \
      --service "cinder block-storage http://127.0.0.1:$CINDER_PORT/v3/%(project_id)s" \
      --service "nova compute http://127.0.0.1:$NOVA_API_PORT/v2.1" \
      >>"$LOG_DIR/keystone-setup.log" 2>&1 ||
      die "registering users and endpoints in Keystone failed: read $LOG_DIR/keystone-setup.log"
    touch "$d/registered"
  fi
}

# [keystone_authtoken] for a service whose Keystone user is $1.
authtoken_section() {
  cat <<CONF
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
username = $1
password = $SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = $REGION
service_token_roles_required = true
CONF
}

placement_sync() {
  local d=$FERRY_OS_DIR/placement
  if [ -n "${PLACEMENT_SYNC:-}" ]; then wait "$PLACEMENT_SYNC"; return; fi
  placement-manage --config-file "$d/placement.conf" db sync >>"$LOG_DIR/placement-manage.log" 2>&1 &&
    touch "$d/synced"
}

placement_conf() {
  local d=$FERRY_OS_DIR/placement
  mkdir -p "$d"
  cat >"$d/placement.conf" <<CONF
[DEFAULT]
log_file = $LOG_DIR/placement.log
[placement_database]
connection = $(db_url placement)
[api]
auth_strategy = keystone
$(authtoken_section placement)
CONF
  write_uwsgi_ini placement "$PLACEMENT_PORT" /usr/bin/placement-api 1 \
    "env = OS_PLACEMENT_CONFIG_DIR=$d"
}

placement_start() {
  local d=$FERRY_OS_DIR/placement
  placement_conf
  if [ ! -f "$d/synced" ]; then
    placement_sync || die "placement-manage db sync failed: read $LOG_DIR/placement-manage.log"
  fi
  if ! daemon_running placement; then
    need_free_port "$PLACEMENT_PORT" Placement
    uwsgi_start placement
  fi
  wait_for placement "$LOG_DIR/placement.log" "$OS_TIMEOUT" http_ok "http://127.0.0.1:$PLACEMENT_PORT/"
}

neutron_start() {
  if ! daemon_running neutron; then
    need_free_port "$NEUTRON_PORT" "fake Neutron"
    daemon_start neutron "$LOG_DIR/fake-neutron.log" \
      $PY "$PIECE_DIR/fake_neutron.py" --port "$NEUTRON_PORT" --tag "$FERRY_OS_DIR"
  fi
  wait_for neutron "$LOG_DIR/fake-neutron.log" 60 http_ok "http://127.0.0.1:$NEUTRON_PORT/"
}

base_start() {
  mysql_start
  # Placement's schema is made while Keystone's is (each takes tens of seconds here).
  if [ ! -f "$FERRY_OS_DIR/placement/synced" ]; then
    placement_conf
    placement_sync &
    PLACEMENT_SYNC=$!
  fi
  rabbit_start
  keystone_start
  placement_start
  neutron_start
}

base_stop() {
  daemon_stop neutron
  uwsgi_stop placement
  uwsgi_stop keystone
  rabbit_stop
  daemon_stop mysql
}

base_status() {
  local s rc=0
  for s in mysql rabbitmq keystone placement neutron; do
    if daemon_running $s; then echo "base: $s running (pid $(daemon_pid $s))"; else
      echo "base: $s stopped"
      rc=3
    fi
  done
  return $rc
}

base_env() { :; }
