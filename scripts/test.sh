#!/usr/bin/env bash
# Runs Ferry's whole test suite on this machine: installs what is missing
# (Debian packages, Maven dependencies), then the Java unit and integration
# tests (real Ceph, QEMU and libvirt, started by the project's scripts) and the
# Python shim's tests against Debian's Cinder and Nova code, then the end-to-end tests on a local
# OpenStack from Debian's packages (scripts/openstack-lab.sh) with Ferry's drivers and agent.
#
#   bash scripts/test.sh            everything
#   FERRY_SKIP_ITS=1 bash scripts/test.sh   unit tests only (no Ceph/libvirt/OpenStack)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

its=false
[ "${FERRY_SKIP_ITS:-0}" = 1 ] && its=true

echo "== Java: unit and integration tests"
mvn -B -ntp verify -DskipITs="$its"

if [ -f cinder-shim/run-tests.sh ]; then
  echo "== Python: cinder-shim tests"
  # FERRY_LAB=1: also the driver against the lab Ceph cluster and a real agent.
  [ "$its" = false ] && export FERRY_LAB=1
  bash cinder-shim/run-tests.sh
fi

if [ "$its" = false ]; then
  echo "== End to end: a local OpenStack (Keystone, Cinder, Nova) with Ferry's drivers"
  # Starts scripts/openstack-lab.sh, runs every e2e/test_*.py, stops it and deletes its directory.
  FERRY_E2E_PURGE=1 bash e2e/run-tests.sh
fi
echo "== all tests passed"
