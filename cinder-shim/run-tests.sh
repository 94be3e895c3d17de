#!/usr/bin/env bash
# Generates the gRPC stubs from ../proto, then runs the shims' tests with
# Debian's Python (/usr/bin/python3: the python3 first on PATH may be another
# install that cannot see python3-cinder and python3-nova).
#
# Each test directory runs in its own process: Cinder and Nova register
# clashing oslo.config options and cannot be imported together.
#   ./run-tests.sh                 all directories
#   ./run-tests.sh -k retype       extra arguments go to every pytest run
#   FERRY_LAB=1 ./run-tests.sh     also the lab Ceph + real agent test
#   FERRY_AGENT_JAR=...            the agent jar (default ../java-agent/target)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
PY=/usr/bin/python3

./scripts/gen-stubs.sh

status=0
for dir in tests/agent_client tests/cinder_driver tests/nova_driver; do
  ls "$dir"/test_*.py >/dev/null 2>&1 || continue
  echo "== $dir"
  rc=0
  "$PY" -m pytest -q "$dir" "$@" || rc=$?
  # 5: no test selected (e.g. by -k); not a failure of this directory.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
    status=1
  fi
done
exit "$status"
