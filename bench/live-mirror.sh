#!/usr/bin/env bash
# Live-mirror benchmark: Ferry's convergence policy vs a plain block copy run the way Nova runs
# it (virsh blockcopy --transient-job --reuse-external --wait --pivot), same disk, same writer
# (64 KiB random writes through the mirroring QEMU). Prints both side by side.
#
#   bench/live-mirror.sh [--rbd] [--size MIB] [--budget SECONDS] [--writer hmp|fio] [--rate 20m]
#
# Writers: "fio" (default) runs fio's nbd engine against an NBD export served by the mirroring
# QEMU itself (the disk is made shareable for it), 64 KiB random writes, --rate caps it (LAB.md's
# non-converging case was 13-20 MiB/s); "hmp" injects the writes with HMP qemu-io (slow, ~3-10
# MiB/s). The pause at pivot is the longest write latency (fio) or gap (hmp) around the pivot.
#
# File disks (qcow2 in /tmp/ferry-bench) by default; --rbd mirrors pool a -> pool b of a lab Ceph
# cluster (scripts/ceph-lab.sh, started and purged here). Starts and stops its own libvirtd
# (scripts/libvirt-lab.sh). Never part of CI: figures are noisy on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
RBD=0 SIZE=256 BUDGET=20 WRITER=fio RATE=20m
while [ $# -gt 0 ]; do
  case $1 in
    --rbd) RBD=1; shift ;;
    --size) SIZE=$2; shift 2 ;;
    --budget) BUDGET=$2; shift 2 ;;
    --writer) WRITER=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
done
JAR=java-agent/target/ferry-agent.jar
[ -f "$JAR" ] || mvn -B -q -o -pl java-agent -am package -DskipTests
WORK=/tmp/ferry-bench
LAB=$WORK/libvirt
mkdir -p "$WORK"
URI=$(scripts/libvirt-lab.sh start "$LAB")
FIO=-
if [ "$WRITER" = fio ]; then FIO=$RATE; export FERRY_LAB_SHAREABLE=1; fi
SPEC=""
cleanup() {
  scripts/libvirt-lab.sh stop "$LAB" >/dev/null 2>&1 || true
  [ "$RBD" = 0 ] || scripts/ceph-lab.sh purge ferry-bench >/dev/null 2>&1 || true
  rm -f "$WORK"/*.qcow2 "$WORK"/*.raw "$WORK"/*.xml "$WORK"/*.log "$WORK"/*.nbd
}
trap cleanup EXIT
if [ "$RBD" = 1 ]; then
  scripts/ceph-lab.sh start ferry-bench --osd-size 8G >&2
  eval "$(scripts/ceph-lab.sh env ferry-bench)"
  SPEC="$CEPH_CONF@$((FERRY_CEPH_MON_PORT + 1))"
fi
java -cp "$JAR" bench/LiveMirrorBench.java "$URI" "$PWD/scripts/libvirt-lab.sh" "$LAB" "$WORK" \
  "$SIZE" "$BUDGET" "$SPEC" "$FIO" 2>&1 | grep -v ' INFO \| DEBUG '
