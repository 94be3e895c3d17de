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

# Starts both clusters in the background (most of their start is waiting for the OSDs), so
# that openstack-lab.sh can start the base services meanwhile; ceph_start waits for them.
CEPH_JOBS=()
ceph_begin() {
  local n pools
  for n in 1 2; do
    pools="volumes-c"
    [ $n = 1 ] && pools="volumes-a volumes-b stock-a stock-b"
    local port_var=CEPH${n}_PORT
    ceph_lab $n start --port "${!port_var}" --pools "$pools" --osd-size "$CEPH_OSD_SIZE" \
      >"$LOG_DIR/ceph$n-start.log" 2>&1 &
    CEPH_JOBS[$n]=$!
  done
}

ceph_start() {
  [ ${#CEPH_JOBS[@]} -gt 0 ] || ceph_begin
  local n
  for n in 1 2; do
    wait "${CEPH_JOBS[$n]}" ||
      die "Ceph cluster $n did not start: read $LOG_DIR/ceph$n-start.log and $FERRY_OS_DIR/ceph$n/log/"
  done
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
