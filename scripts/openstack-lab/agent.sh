# shellcheck shell=bash
# Piece "agent" of openstack-lab.sh: the Ferry agent as a service with mutual TLS.
#   $FERRY_OS_DIR/tls      a lab CA (openssl), the agent's certificate for 127.0.0.1, client
#                          certificates cinder-volume, nova-compute, ferry-operator (PKCS#8 keys)
#   $FERRY_OS_DIR/agent    agent.yaml (clusters lab1 = Ceph cluster 1, lab2 = cluster 2; budgets;
#                          libvirt of the nova piece), its jar, journal, clouds.yaml (cloud "ferry":
#                          the Keystone user ferry, admin in project service) and operator.env.
# Same content as devstack/plugin.sh writes to /etc/ferry.

AGENT_DIR=$FERRY_OS_DIR/agent
TLS_DIR=$FERRY_OS_DIR/tls
TLS_CLIENTS="cinder-volume nova-compute ferry-operator"

agent_tls() {
  [ -f "$TLS_DIR/ferry-operator.crt" ] && return 0
  mkdir -p "$TLS_DIR"
  local d=$TLS_DIR name ext
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=ferry-lab-ca" \
      -keyout ca.key -out ca.crt
    for name in agent $TLS_CLIENTS; do
      ext="extendedKeyUsage=clientAuth"
      [ "$name" = agent ] && ext="subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth"
      printf '%s\n' "$ext" >"$name.ext"
      openssl req -newkey rsa:2048 -nodes -subj "/CN=$name" -keyout "$name.rsa.key" -out "$name.csr"
      openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
        -extfile "$name.ext" -out "$name.crt"
      # The agent wants PKCS#8 keys ("BEGIN PRIVATE KEY").
      openssl pkcs8 -topk8 -nocrypt -in "$name.rsa.key" -out "$name.key"
      rm -f "$name.rsa.key" "$name.csr" "$name.ext"
    done
    chmod 600 ./*.key
  ) >"$LOG_DIR/tls.log" 2>&1 || die "making the lab certificates failed: read $LOG_DIR/tls.log"
}

agent_jar() {
  local jar=${FERRY_AGENT_JAR:-$REPO/java-agent/target/ferry-agent.jar}
  if [ ! -s "$jar" ] && [ -z "${FERRY_AGENT_JAR:-}" ]; then
    log "building the agent jar (mvn package, about a minute)"
    (cd "$REPO" && mvn -B -q -o -pl java-agent -am package -DskipTests) >"$LOG_DIR/mvn.log" 2>&1 ||
      die "building the agent failed: read $LOG_DIR/mvn.log"
  fi
  [ -s "$jar" ] || die "no agent jar at $jar: build it (mvn -pl java-agent -am package) or set FERRY_AGENT_JAR"
  echo "$jar"
}

agent_conf() {
  mkdir -p "$AGENT_DIR/journal" "$AGENT_DIR/images"
  cat >"$AGENT_DIR/agent.yaml" <<CONF
# Written by scripts/openstack-lab.sh (piece agent). LAB ONLY.
listen: 127.0.0.1:$AGENT_PORT
tls:
  cert: $TLS_DIR/agent.crt
  key: $TLS_DIR/agent.key
  client_ca: $TLS_DIR/ca.crt
  allowed_clients: [$(echo "$TLS_CLIENTS" | sed 's/ /, /g')]
roots:
  default: $AGENT_DIR/images
journal_dir: $AGENT_DIR/journal
budgets:
  max_concurrent_jobs: 2
  total_bandwidth: 0
clusters:
  lab1:
    ceph_conf: $CEPH_CONF_1
    client_id: admin
  lab2:
    ceph_conf: $CEPH_CONF_2
    client_id: admin
metrics:
  listen: 127.0.0.1:$AGENT_METRICS_PORT
libvirt_uri: $LIBVIRT_URI
CONF
  # The control plane's identity (ferry check|migrate|evacuate|repair), as devstack's clouds.yaml.
  cat >"$AGENT_DIR/clouds.yaml" <<CONF
clouds:
  ferry:
    auth:
      auth_url: $KEYSTONE_URL
      username: ferry
      password: $SERVICE_PASSWORD
      project_name: service
      user_domain_name: Default
      project_domain_name: Default
    region_name: $REGION
    identity_api_version: 3
CONF
  chmod 600 "$AGENT_DIR/clouds.yaml"
  cat >"$AGENT_DIR/operator.env" <<CONF
export OS_CLIENT_CONFIG_FILE=$AGENT_DIR/clouds.yaml
export OS_CLOUD=ferry
export FERRY_AGENT=127.0.0.1:$AGENT_PORT
export FERRY_AGENTS=127.0.0.1:$AGENT_PORT
export FERRY_CERT=$TLS_DIR/ferry-operator.crt
export FERRY_KEY=$TLS_DIR/ferry-operator.key
export FERRY_CA=$TLS_DIR/ca.crt
CONF
}

agent_start() {
  agent_tls
  agent_conf
  if ! daemon_running agent; then
    need_free_port "$AGENT_PORT" "Ferry agent"
    # Live mirrors are on only if libvirt answers when the agent starts.
    if declare -F nova_libvirt_start >/dev/null; then nova_libvirt_start; fi
    # A copy of the jar: rebuilding the checkout does not pull it from under a running agent.
    cp "$(agent_jar)" "$AGENT_DIR/ferry-agent.jar"
    : >"$LOG_DIR/agent.log"
    # cwd = AGENT_DIR: the agent's cloud commands find ./clouds.yaml there.
    (cd "$AGENT_DIR" && export OS_CLOUD=ferry OS_CLIENT_CONFIG_FILE="$AGENT_DIR/clouds.yaml" &&
      daemon_start agent "$LOG_DIR/agent.log" \
      java -Xmx768m -jar "$AGENT_DIR/ferry-agent.jar" agent --config "$AGENT_DIR/agent.yaml")
  fi
  wait_for agent "$LOG_DIR/agent.log" 120 grep -q "listening on" "$LOG_DIR/agent.log"
}

agent_stop() { daemon_stop agent; }

agent_status() {
  if daemon_running agent; then echo "agent: running (pid $(daemon_pid agent)) on 127.0.0.1:$AGENT_PORT"; else
    echo "agent: stopped"
    return 3
  fi
}

agent_env() {
  echo "export FERRY_AGENT_ADDR=127.0.0.1:$AGENT_PORT FERRY_AGENT_METRICS=127.0.0.1:$AGENT_METRICS_PORT"
  echo "export FERRY_TLS_CA=$TLS_DIR/ca.crt"
  echo "export FERRY_TLS_CERT=$TLS_DIR/ferry-operator.crt FERRY_TLS_KEY=$TLS_DIR/ferry-operator.key"
  echo "export FERRY_TLS_DIR=$TLS_DIR FERRY_AGENT_LOG=$LOG_DIR/agent.log"
  echo "export FERRY_AGENT_CLUSTERS='lab1=$CEPH_CONF_1 lab2=$CEPH_CONF_2'"
}
