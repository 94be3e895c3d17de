#!/usr/bin/env bash
# End-to-end tests on the local OpenStack of scripts/openstack-lab.sh (Keystone, Cinder with
# ferry_cinder, Nova with ferry_nova, the Ferry agent, two Ceph clusters), with Debian's Python.
#
#   e2e/run-tests.sh                     start the stack if needed, run e2e/test_*.py, stop it
#   e2e/run-tests.sh -k detached         extra arguments go to pytest
#   FERRY_E2E_KEEP=1 e2e/run-tests.sh    leave the stack running afterwards (for debugging)
#   FERRY_E2E_PURGE=1 e2e/run-tests.sh   delete the stack's directory afterwards (CI)
#
# The stack's directory and ports follow FERRY_OS_DIR / FERRY_OS_PORT_BASE / FERRY_LAB_TAG (see
# scripts/openstack-lab.sh). Needs root, the Debian packages of scripts/install-deps.sh and the
# agent jar (built by openstack-lab.sh if missing). Prints the time of start, tests and stop.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
lab=$repo/scripts/openstack-lab.sh

t0=$SECONDS
echo "== e2e: starting the stack ($lab start)"
stop_stack() {
  local rc=$?
  if [ "${FERRY_E2E_KEEP:-0}" = 1 ]; then
    echo "== e2e: stack left running (FERRY_E2E_KEEP=1); stop it with: $lab stop"
  else
    local t=$SECONDS
    if [ "${FERRY_E2E_PURGE:-0}" = 1 ]; then "$lab" purge || rc=1; else "$lab" stop || rc=1; fi
    echo "== e2e: stack stopped in $((SECONDS - t)) s"
  fi
  echo "== e2e: total $((SECONDS - t0)) s"
  exit $rc
}
trap stop_stack EXIT
"$lab" start
t_started=$SECONDS
echo "== e2e: stack up in $((t_started - t0)) s"
eval "$("$lab" env)"

cd "$here"
rc=0
/usr/bin/python3 -m pytest -p no:cacheprovider -q -rs -s --durations=0 "$@" || rc=$?
echo "== e2e: tests took $((SECONDS - t_started)) s (pytest exit $rc)"
exit $rc
