# shellcheck shell=bash
# Piece "ceph" of openstack-lab.sh: two lab clusters from scripts/ceph-lab.sh.
#   cluster 1 ($FERRY_OS_DIR/ceph1): pools volumes-a volumes-b (Ferry backends) and
#             stock-a stock-b (stock RBD backends, for comparisons)
#   cluster 2 ($FERRY_OS_DIR/ceph2): pool volumes-c
# LAB ONLY: no cephx. Cinder and the agent use client.admin; no keyring is needed.

CEPH_LAB=$REPO/scripts/ceph-lab.sh
CEPH_OSD_SIZE=${FERRY_OS_CEPH_OSD_SIZE:-12G}

ceph_lab() { # ceph_lab N CMD [args]
  local n=$1 cmd=$2
  shift 2
  FERRY_LAB_DIR=$FERRY_OS_DIR/ceph$n "$CEPH_LAB" "$cmd" "os-ceph$n" "$@"
}

ceph_start() {
  # Both clusters at once: most of their start is waiting for the OSD.
  local log1=$LOG_DIR/ceph1-start.log log2=$LOG_DIR/ceph2-start.log pid1 pid2
  ceph_lab 1 start --port "$CEPH1_PORT" --pools "volumes-a volumes-b stock-a stock-b" \
    --osd-size "$CEPH_OSD_SIZE" >"$log1" 2>&1 &
  pid1=$!
  ceph_lab 2 start --port "$CEPH2_PORT" --pools "volumes-c" --osd-size "$CEPH_OSD_SIZE" \
    >"$log2" 2>&1 &
  pid2=$!
  wait $pid1 || die "Ceph cluster 1 did not start: read $log1 and $FERRY_OS_DIR/ceph1/log/"
  wait $pid2 || die "Ceph cluster 2 did not start: read $log2 and $FERRY_OS_DIR/ceph2/log/"
}

ceph_stop() {
  local n
  for n in 1 2; do
    [ -d "$FERRY_OS_DIR/ceph$n" ] && ceph_lab $n stop 2>&1 | sed 's/^/  /' >&2
  done
  return 0
}

ceph_status() {
  local n rc=0
  for n in 1 2; do ceph_lab $n status || rc=3; done
  return $rc
}

ceph_env() { :; }
