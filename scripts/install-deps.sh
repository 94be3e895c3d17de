#!/usr/bin/env bash
# Installs what Ferry's build and tests need on a fresh Debian 12 machine:
# the Debian packages below (only those missing). Safe to run again.
# Needs root (or sudo) for apt. Maven fetches the Java side itself.
set -euo pipefail

PACKAGES=(
  # build
  openjdk-17-jdk-headless maven
  # Ceph lab cluster and librbd for the agent
  ceph-mon ceph-mgr ceph-osd ceph-common librbd1 librados2
  # QEMU (qemu-img is the format oracle), libvirt, NBD tools, load tools
  qemu-utils qemu-system-x86 qemu-block-extra libvirt-daemon-system libvirt-clients
  libnbd-bin nbd-client fio
  # Python side: Cinder and Nova code, gRPC stubs, tests
  python3-cinder python3-nova python3-os-brick python3-libvirt python3-rados python3-rbd openssl
  python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc python3-pytest
  # The local OpenStack of scripts/openstack-lab.sh (services are started by that script, never
  # at install: policy-rc.d and the debconf answers below)
  dbconfig-no-thanks mariadb-server rabbitmq-server uwsgi-core uwsgi-plugin-python3 curl
  keystone placement-api cinder-api cinder-scheduler cinder-volume
  nova-common nova-api nova-conductor nova-scheduler nova-compute nova-compute-qemu
  python3-cinderclient python3-novaclient python3-keystoneclient python3-pymysql mariadb-client
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all Debian packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
# Keep OpenStack packages from configuring databases or starting services.
$SUDO debconf-set-selections <<'DEBCONF'
cinder-common cinder/configure_db boolean false
cinder-api cinder/register-endpoint boolean false
nova-common nova/configure_db boolean false
nova-api nova/register-endpoint boolean false
nova-common nova/register-endpoint boolean false
keystone keystone/configure_db boolean false
keystone keystone/register-endpoint boolean false
keystone keystone/create-admin-tenant boolean false
placement-common placement/configure_db boolean false
placement-api placement/register-endpoint boolean false
dbconfig-common dbconfig-common/dbconfig-install boolean false
DEBCONF
if [ ! -x /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
fi
export DEBIAN_FRONTEND=noninteractive
# Serialise with any other apt run on this machine.
$SUDO flock /tmp/apt.lock apt-get update -q
$SUDO flock /tmp/apt.lock apt-get install -y -q "${missing[@]}"
