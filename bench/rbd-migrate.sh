#!/usr/bin/env bash
# Moves the same RBD image from pool a to pool b of a lab cluster with Ferry (the real agent and
# CLI: snapshot, full sync, diffs, final pass, verification, commit) and with Ceph's and QEMU's
# own tools, in one run; verifies every result against the source (sha256 of `rbd export`) and
# prints throughput and ratios. Benchmarks never gate CI.
#
#   bench/rbd-migrate.sh [SIZE_GIB] [DATA_PERCENT]      default: 4 GiB, 50 % random data
#
# Needs: scripts/ceph-lab.sh's packages, fio, qemu-utils + qemu-block-extra, a built agent jar
# (mvn -pl java-agent -am package -DskipTests). Starts lab cluster "rbd-bench" (FERRY_BENCH_CLUSTER)
# and stops and deletes it at the end (FERRY_BENCH_KEEP=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE_GIB=${1:-4}
DATA_PCT=${2:-50}
NAME=${FERRY_BENCH_CLUSTER:-rbd-bench}
JAR=${FERRY_JAR:-java-agent/target/ferry-agent.jar}
WORK=${FERRY_BENCH_DIR:-/tmp/ferry-rbd-bench}
REGION_MIB=64                       # data and holes alternate in regions of this size
SIZE_MIB=$((SIZE_GIB * 1024))

[ -f "$JAR" ] || { echo "bench: $JAR missing: mvn -B -pl java-agent -am package -DskipTests" >&2; exit 1; }
for t in fio qemu-img rbd; do command -v $t >/dev/null || { echo "bench: $t missing (scripts/install-deps.sh)" >&2; exit 1; }; done

AGENT_PID=""
cleanup() {
  [ -n "$AGENT_PID" ] && kill "$AGENT_PID" 2>/dev/null && wait "$AGENT_PID" 2>/dev/null || true
  if [ "${FERRY_BENCH_KEEP:-0}" != 1 ]; then
    scripts/ceph-lab.sh purge "$NAME" >/dev/null 2>&1 || true
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

scripts/ceph-lab.sh start "$NAME" --osd-size $((SIZE_GIB * 4 + 16))G
eval "$(scripts/ceph-lab.sh env "$NAME")"
mkdir -p "$WORK"

# ---- the source: DATA_PCT % random data in REGION_MIB regions, the rest holes ----------------
rbd rm --no-progress a/src >/dev/null 2>&1 || true
rbd create --size "${SIZE_MIB}M" a/src
regions=$((SIZE_MIB / REGION_MIB))
data_regions=$((regions * DATA_PCT / 100))
echo "bench: writing ${SIZE_GIB} GiB source: $data_regions of $regions ${REGION_MIB} MiB regions random data"
for ((i = 0; i < data_regions; i++)); do
  # spread the data regions evenly over the image
  off=$(((i * regions / data_regions) * REGION_MIB))
  fio --name=fill --ioengine=rbd --clientname=admin --pool=a --rbdname=src --rw=write --bs=4M \
    --offset="${off}M" --size="${REGION_MIB}M" --refill_buffers --randrepeat=0 --iodepth=16 \
    --output=/dev/null
done
DATA_MIB=$((data_regions * REGION_MIB))
SRC_SHA=$(rbd export --no-progress a/src - | sha256sum | cut -d' ' -f1)
used() { rbd du --format json "$1" | /usr/bin/python3 -c 'import json,sys; print("%.0f MiB" % (json.load(sys.stdin)["images"][-1]["used_size"] / 2**20))'; }
SRC_USED=$(used a/src)

# ---- the agent ---------------------------------------------------------------------------------
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$WORK/agent.yaml" <<EOF
listen: 127.0.0.1:$PORT
insecure_plaintext: true
journal_dir: $WORK/journal
budgets: {max_concurrent_jobs: 1, total_bandwidth: 0}
copy_defaults: {chunk_size: 4MiB, parallelism: ${FERRY_BENCH_PARALLELISM:-8}}
clusters:
  lab: {ceph_conf: $CEPH_CONF}
EOF
# The agent as scripts/ferry starts it (its JVM and malloc settings; FERRY_AGENT_JAVA_OPTS replaces them).
FERRY_JAR=$JAR scripts/ferry agent --config "$WORK/agent.yaml" >"$WORK/agent.log" 2>&1 &
AGENT_PID=$!
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break
  sleep 0.2
done
# The CLI is a short-lived JVM: C1 only, serial GC, and a class-data archive made once here
# (untimed), as a packaged launcher would ship it. FERRY_CLI_JAVA_OPTS=" " measures a bare start.
CLI_OPTS=${FERRY_CLI_JAVA_OPTS:-"-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:SharedArchiveFile=$WORK/cli.jsa"}
if [[ $CLI_OPTS == *cli.jsa* ]]; then
  java -XX:ArchiveClassesAtExit="$WORK/cli.jsa" -jar "$JAR" caps --agent "127.0.0.1:$PORT" --plaintext \
    >/dev/null 2>&1 || true
fi
# shellcheck disable=SC2086
ferry() { java $CLI_OPTS -jar "$JAR" "$1" --agent "127.0.0.1:$PORT" --plaintext "${@:2}"; }

# ---- the contenders ----------------------------------------------------------------------------
declare -A SECS USED
run() { # NAME COMMAND...: times COMMAND, then checks b/dst equals the source and removes it
  local name=$1
  shift
  rbd rm --no-progress b/dst >/dev/null 2>&1 || true
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$WORK/$name.out" 2>&1 || { echo "bench: $name failed:"; tail -20 "$WORK/$name.out"; exit 1; }
  t1=$(date +%s.%N)
  local sha
  sha=$(rbd export --no-progress b/dst - | sha256sum | cut -d' ' -f1)
  [ "$sha" = "$SRC_SHA" ] || { echo "bench: $name produced a different image!"; exit 1; }
  SECS[$name]=$(echo "$t1 - $t0" | bc -l)
  USED[$name]=$(used b/dst)
  rbd rm --no-progress b/dst >/dev/null
  printf 'bench: %-22s %7.2f s  verified, rbd du %s\n' "$name" "${SECS[$name]}" "${USED[$name]}"
}

ferry_copy() { ferry copy rbd:lab/a/src rbd:lab/b/dst --create --wait; }
rbd_migration() {
  rbd migration prepare a/mig b/dst && rbd migration execute --no-progress b/dst \
    && rbd migration commit --no-progress b/dst
}
qemu_convert() {
  qemu-img convert -m 16 -W -f raw -O raw "rbd:a/src:conf=$CEPH_CONF" "rbd:b/dst:conf=$CEPH_CONF"
}

# FERRY_BENCH_PEERS=0 times Ferry alone (twice), for quick before/after checks of one change.
PEERS=("rbd cp" "rbd deep cp" "rbd migration" "qemu-img convert -m16 -W" "rbd export|import")
[ "${FERRY_BENCH_PEERS:-1}" = 0 ] && PEERS=()
run ferry ferry_copy
if [ ${#PEERS[@]} -gt 0 ]; then
  run "rbd cp" rbd cp --no-progress a/src b/dst
  run "rbd deep cp" rbd deep cp --no-progress a/src b/dst
  rbd deep cp --no-progress a/src a/mig # migration moves its source: give it a copy (untimed)
  run "rbd migration" rbd_migration
  run "qemu-img convert -m16 -W" qemu_convert
  run "rbd export|import" bash -c "rbd export --no-progress a/src - | rbd import --no-progress - b/dst"
fi
# Ferry once more at the end: on a shared machine the load drifts during a run, so Ferry is
# timed both before and after its peers; the ratios use the slower of the two.
SECS_FIRST=${SECS[ferry]}
run ferry ferry_copy
SECS["ferry (first)"]=$SECS_FIRST
SECS["ferry (last)"]=${SECS[ferry]}
if (( $(echo "$SECS_FIRST > ${SECS[ferry]}" | bc -l) )); then SECS[ferry]=$SECS_FIRST; fi

RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$AGENT_PID/status")
if [[ ${FERRY_AGENT_JAVA_OPTS:-} == *NativeMemoryTracking* ]]; then
  jcmd "$AGENT_PID" VM.native_memory summary >"$WORK/nmt.txt" 2>&1 || true
fi
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
# Ferry's own phases, from the agent's log (job state changes, UTC timestamps).
phases() {
  /usr/bin/python3 - "$WORK/agent.log" <<'PY'
import re, sys, datetime
jobs = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+Z) .*job (\S+): (\w+) -> (\w+)", line)
    if m:
        t = jobs.setdefault(m.group(2), {})
        t.setdefault(m.group(4), datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")))
order = ["PREPARING", "SYNCING", "MERGING", "VERIFYING", "COMMITTING", "COMPLETED"]
for t in jobs.values():
    seen = [s for s in order if s in t]
    parts = ["%s %.1f s" % (a.lower(), (t[b] - t[a]).total_seconds()) for a, b in zip(seen, seen[1:])]
    if seen:
        parts.append("job total %.1f s" % (t[seen[-1]] - t[seen[0]]).total_seconds())
    print("  " + ", ".join(parts))
PY
}

# ---- report ------------------------------------------------------------------------------------
echo
echo "bench: ${SIZE_GIB} GiB image, ${DATA_MIB} MiB random data (rbd du of source: $SRC_USED), pool a -> b, 1 OSD"
printf '%-24s %9s %12s %12s %10s\n' tool seconds "data MiB/s" "size MiB/s" "ferry x"
for name in "ferry (first)" "ferry (last)" "${PEERS[@]}"; do
  s=${SECS[$name]}
  printf '%-24s %9.2f %12.1f %12.1f %10.2f\n' "$name" "$s" "$(echo "$DATA_MIB / $s" | bc -l)" \
    "$(echo "$SIZE_MIB / $s" | bc -l)" "$(echo "$s / ${SECS[ferry]}" | bc -l)"
done
echo "agent peak RSS: $((RSS_KB / 1024)) MiB; load average at the end: $LOAD"
echo "ferry's jobs (agent log):"
phases
echo "(ferry x = tool's time / Ferry's slower time; > 1 means Ferry was faster. Every result verified.)"
