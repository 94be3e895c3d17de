#!/bin/bash
#
# devstack plugin for Ferry: builds and runs the Ferry agent, configures Cinder's
# RBD backends with ferry_cinder (one backend per Ceph pool), sets Nova's compute
# driver to ferry_nova, and gives the agent's control plane OpenStack credentials.
#
# Enabled by "enable_plugin ferry <repo> [branch]" in local.conf (see README.md).
# Needs a Ceph cluster, e.g. from devstack-plugin-ceph, enabled before this plugin.

# Save trace setting
_XTRACE_FERRY=$(set +o | grep xtrace)
set -o xtrace

FERRY_JAR=$FERRY_LIB_DIR/ferry-agent.jar
FERRY_TLS_DIR=$FERRY_CONF_DIR/tls
FERRY_SHIM_DIR=$FERRY_DIR/cinder-shim

# install_ferry - JDK, the agent's jar, the Python shims and their gRPC stubs
function install_ferry {
    install_package $FERRY_JDK_PACKAGE maven protobuf-compiler protobuf-compiler-grpc
    pip_install grpcio protobuf
    (cd $FERRY_DIR && mvn -B -q -pl java-agent -am package -DskipTests)
    sudo install -d -m 755 $FERRY_LIB_DIR
    sudo install -m 644 $FERRY_DIR/java-agent/target/ferry-agent.jar $FERRY_JAR
    (cd $FERRY_SHIM_DIR && bash scripts/gen-stubs.sh)
    # The shims have no setup.py: put them on the path of the Python that runs Cinder and Nova.
    # Nova 26 loads compute_driver as 'nova.virt.' + value: the second line installs the import
    # hook that answers nova.virt.ferry_nova with ferry_nova (ferry_nova/nova_alias.py; it
    # imports nothing until Nova asks). Lines of a .pth run in order: path first.
    local site
    site=$($PYTHON -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    printf '%s\n%s\n' "$FERRY_SHIM_DIR" 'import ferry_nova.nova_alias as a; a.install()' | \
        sudo tee $site/ferry-shims.pth >/dev/null
}

# _ferry_tls - a lab CA, the agent's server certificate, and client certificates for
# cinder-volume, nova-compute and the operator (PKCS#8 keys, as the agent wants them)
function _ferry_tls {
    sudo install -d -m 750 -o $STACK_USER $FERRY_TLS_DIR
    if [[ -f $FERRY_TLS_DIR/ca.crt ]]; then
        return
    fi
    local d=$FERRY_TLS_DIR
    openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj "/CN=ferry-ca" \
        -keyout $d/ca.key -out $d/ca.crt
    local name
    for name in agent cinder-volume nova-compute ferry-operator; do
        local san="DNS:$name"
        if [[ $name == agent ]]; then
            san="DNS:$FERRY_AGENT_HOST,DNS:localhost,IP:127.0.0.1"
            if [[ $FERRY_AGENT_HOST =~ ^[0-9.]+$ ]]; then
                san="$san,IP:$FERRY_AGENT_HOST"
            fi
        fi
        openssl req -newkey rsa:3072 -nodes -subj "/CN=$name" \
            -keyout $d/$name.rsa.key -out $d/$name.csr
        openssl x509 -req -in $d/$name.csr -CA $d/ca.crt -CAkey $d/ca.key \
            -CAcreateserial -days 3650 -out $d/$name.crt \
            -extfile <(printf "subjectAltName=%s" "$san")
        openssl pkcs8 -topk8 -nocrypt -in $d/$name.rsa.key -out $d/$name.key
        rm -f $d/$name.rsa.key $d/$name.csr
    done
    chmod 640 $d/*.key
}

# _ferry_ceph_pools - the pools Ferry moves volumes between (created if missing)
function _ferry_ceph_pools {
    local pool
    for pool in $FERRY_CEPH_POOLS; do
        if ! sudo ceph -c $FERRY_CEPH_CONF osd pool ls | grep -qx "$pool"; then
            sudo ceph -c $FERRY_CEPH_CONF osd pool create $pool $FERRY_CEPH_PG_NUM
            sudo ceph -c $FERRY_CEPH_CONF osd pool application enable $pool rbd
            sudo rbd -c $FERRY_CEPH_CONF pool init $pool
        fi
    done
}

# configure_ferry_agent - the agent's YAML config (clusters from devstack's Ceph settings)
function configure_ferry_agent {
    sudo install -d -m 755 -o $STACK_USER $FERRY_CONF_DIR
    install -d -m 750 $FERRY_DATA_DIR $FERRY_DATA_DIR/journal $FERRY_DATA_DIR/images
    _ferry_tls
    local keyring=/etc/ceph/ceph.client.$FERRY_CEPH_USER.keyring
    cat > $FERRY_CONF_DIR/agent.yaml <<EOC
# Written by devstack's Ferry plugin.
listen: $FERRY_AGENT_HOST:$FERRY_AGENT_PORT
tls:
  cert: $FERRY_TLS_DIR/agent.crt
  key: $FERRY_TLS_DIR/agent.key
  client_ca: $FERRY_TLS_DIR/ca.crt
  allowed_clients: [cinder-volume, nova-compute, ferry-operator]
roots:
  default: $FERRY_DATA_DIR/images
journal_dir: $FERRY_DATA_DIR/journal
budgets:
  max_concurrent_jobs: $FERRY_MAX_CONCURRENT_JOBS
  total_bandwidth: $FERRY_TOTAL_BANDWIDTH
clusters:
  $FERRY_CEPH_CLUSTER_ID:
    ceph_conf: $FERRY_CEPH_CONF
    client_id: $FERRY_CEPH_USER
EOC
    if [[ -f $keyring ]]; then
        echo "    keyring: $keyring" >> $FERRY_CONF_DIR/agent.yaml
    fi
    if [[ -n $FERRY_CEPH_SECRET_UUID ]]; then
        echo "    libvirt_secret_uuid: $FERRY_CEPH_SECRET_UUID" >> $FERRY_CONF_DIR/agent.yaml
    fi
    cat >> $FERRY_CONF_DIR/agent.yaml <<EOC
metrics:
  listen: $FERRY_AGENT_HOST:$FERRY_METRICS_PORT
libvirt_uri: qemu:///system
EOC
}

# configure_ferry_credentials - a Keystone user for the control plane, in clouds.yaml
function configure_ferry_credentials {
    local user_id
    user_id=$(get_or_create_user $FERRY_OS_USER "$FERRY_OS_PASSWORD" default)
    get_or_add_user_project_role admin $user_id $SERVICE_PROJECT_NAME
    # devstack's helper writes the entry into /etc/openstack/clouds.yaml (mode 0600).
    $PYTHON $TOP_DIR/tools/update_clouds_yaml.py \
        --file /etc/openstack/clouds.yaml \
        --os-cloud $FERRY_OS_CLOUD \
        --os-region-name $REGION_NAME \
        --os-identity-api-version 3 \
        --os-cacert "$SSL_BUNDLE_FILE" \
        --os-auth-url $KEYSTONE_SERVICE_URI \
        --os-username $FERRY_OS_USER \
        --os-password "$FERRY_OS_PASSWORD" \
        --os-project-name $SERVICE_PROJECT_NAME
}

# configure_ferry_cinder - one ferry_cinder backend per pool
function configure_ferry_cinder {
    local pool backends=""
    for pool in $FERRY_CEPH_POOLS; do
        local be=ferry-$pool
        iniset $CINDER_CONF $be volume_backend_name $be
        iniset $CINDER_CONF $be volume_driver ferry_cinder.driver.FerryRBDDriver
        iniset $CINDER_CONF $be rbd_ceph_conf $FERRY_CEPH_CONF
        iniset $CINDER_CONF $be rbd_pool $pool
        iniset $CINDER_CONF $be rbd_user $FERRY_CEPH_USER
        if [[ -n $FERRY_CEPH_SECRET_UUID ]]; then
            iniset $CINDER_CONF $be rbd_secret_uuid $FERRY_CEPH_SECRET_UUID
        fi
        iniset $CINDER_CONF $be ferry_agent_address $FERRY_AGENT_HOST:$FERRY_AGENT_PORT
        iniset $CINDER_CONF $be ferry_tls_cert $FERRY_TLS_DIR/cinder-volume.crt
        iniset $CINDER_CONF $be ferry_tls_key $FERRY_TLS_DIR/cinder-volume.key
        iniset $CINDER_CONF $be ferry_tls_ca $FERRY_TLS_DIR/ca.crt
        iniset $CINDER_CONF $be ferry_cluster_id $FERRY_CEPH_CLUSTER_ID
        iniset $CINDER_CONF $be ferry_bandwidth $FERRY_MIGRATION_BANDWIDTH
        backends+="${backends:+,}$be"
    done
    local enabled
    enabled=$(iniget $CINDER_CONF DEFAULT enabled_backends)
    iniset $CINDER_CONF DEFAULT enabled_backends "${enabled:+$enabled,}$backends"
}

# create_ferry_volume_types - a volume type per backend, so "retype" can name a pool, and
# "ferry" matching every Ferry backend: "cinder migrate" keeps the volume's type, and the
# scheduler refuses a destination whose backend name that type does not match.
function create_ferry_volume_types {
    local pool
    for pool in $FERRY_CEPH_POOLS; do
        openstack volume type show ferry-$pool >/dev/null 2>&1 || \
            openstack volume type create --property volume_backend_name=ferry-$pool ferry-$pool
    done
    openstack volume type show ferry >/dev/null 2>&1 || \
        openstack volume type create --property volume_backend_name='<in> ferry-' ferry
}

# configure_ferry_nova - ferry_nova's compute driver and its [ferry] section
function configure_ferry_nova {
    if [[ $FERRY_NOVA_DRIVER != True ]]; then
        return
    fi
    local conf
    for conf in $NOVA_CONF $NOVA_CPU_CONF; do
        [[ -f $conf ]] || continue
        iniset $conf DEFAULT compute_driver ferry_nova.driver.FerryLibvirtDriver
        iniset $conf ferry agent_address $FERRY_AGENT_HOST:$FERRY_AGENT_PORT
        iniset $conf ferry tls_cert $FERRY_TLS_DIR/nova-compute.crt
        iniset $conf ferry tls_key $FERRY_TLS_DIR/nova-compute.key
        iniset $conf ferry tls_ca $FERRY_TLS_DIR/ca.crt
    done
}

# start_ferry - the agent as a systemd unit, with the control plane's cloud
function start_ferry {
    local cmd="$(which java) -jar $FERRY_JAR agent --config $FERRY_CONF_DIR/agent.yaml"
    write_user_unit_file devstack@ferry-agent.service "$cmd" "" "$STACK_USER"
    iniset -sudo $SYSTEMD_DIR/devstack@ferry-agent.service Service \
        Environment "OS_CLOUD=$FERRY_OS_CLOUD"
    $SYSTEMCTL daemon-reload
    $SYSTEMCTL enable devstack@ferry-agent.service
    $SYSTEMCTL restart devstack@ferry-agent.service
    # The operator's environment for "ferry check/migrate/evacuate/repair" and job commands.
    cat > $FERRY_CONF_DIR/operator.env <<EOC
export OS_CLOUD=$FERRY_OS_CLOUD
export FERRY_AGENT=$FERRY_AGENT_HOST:$FERRY_AGENT_PORT
export FERRY_AGENTS=$FERRY_AGENT_HOST:$FERRY_AGENT_PORT
export FERRY_CERT=$FERRY_TLS_DIR/ferry-operator.crt
export FERRY_KEY=$FERRY_TLS_DIR/ferry-operator.key
export FERRY_CA=$FERRY_TLS_DIR/ca.crt
alias ferry="java -jar $FERRY_JAR"
EOC
}

function stop_ferry {
    $SYSTEMCTL stop devstack@ferry-agent.service || true
}

function cleanup_ferry {
    stop_ferry
    $SYSTEMCTL disable devstack@ferry-agent.service || true
    sudo rm -f $SYSTEMD_DIR/devstack@ferry-agent.service
    sudo rm -rf $FERRY_LIB_DIR $FERRY_CONF_DIR
    rm -rf $FERRY_DATA_DIR
}

if is_service_enabled ferry-agent; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Ferry"
        install_ferry
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Ferry"
        _ferry_ceph_pools
        configure_ferry_agent
        configure_ferry_nova
        if is_service_enabled cinder; then
            configure_ferry_cinder
        fi
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Ferry"
        configure_ferry_credentials
        start_ferry
        if is_service_enabled c-api; then
            create_ferry_volume_types
        fi
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_ferry
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_ferry
    fi
fi

# Restore xtrace
$_XTRACE_FERRY
