#!/usr/bin/env bash
# Copies the same sparse raw file (half random data, half holes) with Ferry,
# `cp --sparse=always` and `qemu-img convert -m 16 -W`, in one run, and prints
# throughput and ratios. Every timed command includes an fsync of its output
# (cp and qemu-img would otherwise leave data in the page cache); every output
# is compared with the source. Not part of CI.
#
#   bash bench/file-copy.sh [SIZE_GIB=4] [RUNS=2]
#   FERRY_BENCH_DIR=/tmp/ferry-bench (needs SIZE x 4 free space, sparse)
set -euo pipefail
cd "$(dirname "$0")/.."
size_gib=${1:-4}
runs=${2:-2}
dir=${FERRY_BENCH_DIR:-/tmp/ferry-bench}
jar=${FERRY_JAR:-java-agent/target/ferry-agent.jar}
port=${FERRY_BENCH_PORT:-17420}
[ -f "$jar" ] || mvn -B -q -ntp -DskipTests package

rm -rf "$dir"; mkdir -p "$dir"/{src,dst,journal}
src=$dir/src/disk.raw
stripe_mib=64
stripes=$((size_gib * 1024 / stripe_mib))
echo "== creating $src: ${size_gib} GiB, every other ${stripe_mib} MiB random data"
truncate -s "${size_gib}G" "$src"
for ((i = 0; i < stripes; i += 2)); do
  head -c "${stripe_mib}M" /dev/urandom | dd of="$src" bs=1M seek=$((i * stripe_mib)) conv=notrunc,fsync status=none
done
data_mib=$(( (stripes + 1) / 2 * stripe_mib ))

cat > "$dir/agent.yaml" <<YAML
listen: 127.0.0.1:$port
insecure_plaintext: true
roots:
  src: src
  dst: dst
journal_dir: journal
YAML
java -Xmx256m ${FERRY_AGENT_JAVA_OPTS:-} -jar "$jar" agent --config "$dir/agent.yaml" > "$dir/agent.log" 2>&1 &
agent=$!
trap 'kill $agent 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  java -jar "$jar" caps --agent 127.0.0.1:$port --plaintext >/dev/null 2>&1 && break; sleep 0.3
done

declare -A best
run() { # name, output file, command...
  local name=$1 out=$2; shift 2
  rm -f "$out"
  local t0 t1 secs
  t0=$(date +%s.%N)
  "$@" > "$dir/last.out"
  sync "$out"
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  record "$name" "$secs" "$out"
  if [[ $name == ferry* ]]; then
    # The same job timed by the agent (created -> completed): without the CLI's
    # JVM start, which dominates on a loaded 2-core machine.
    local id; id=$(awk '/^job / {print $2; exit}' "$dir/last.out")
    secs=$(ferry job "$id" | awk '/^(created|updated):/ {print $2}' |
      while read -r ts; do date -d "$ts" +%s.%N; done | paste -sd' ' | awk '{print $2 - $1}')
    record "$name [job]" "$secs" "$out"
  fi
}

record() { # name, seconds, output file
  local name=$1 secs=$2 out=$3
  cmp -s "$src" "$out" || { echo "!! $name: output differs from the source"; exit 1; }
  local alloc; alloc=$(du -m "$out" | cut -f1)
  printf '  %-26s %6.2f s  %7.1f MiB/s (data)  allocated %5d MiB\n' "$name" "$secs" \
    "$(echo "$data_mib / $secs" | bc -l)" "$alloc"
  if [ -z "${best[$name]:-}" ] || (( $(echo "$secs < ${best[$name]}" | bc -l) )); then
    best[$name]=$secs
  fi
}

# The CLI is a short-lived JVM: C1 only, serial GC, and a class-data archive made once here
# (untimed), as a packaged launcher would ship it. FERRY_CLI_JAVA_OPTS=" " measures a bare start.
cli_opts=${FERRY_CLI_JAVA_OPTS:-"-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:SharedArchiveFile=$dir/cli.jsa"}
if [[ $cli_opts == *cli.jsa* ]]; then
  java -XX:ArchiveClassesAtExit="$dir/cli.jsa" -jar "$jar" caps --agent 127.0.0.1:$port --plaintext \
    >/dev/null 2>&1 || true
fi
# shellcheck disable=SC2086
ferry() { java $cli_opts -jar "$jar" "$@" --agent 127.0.0.1:$port --plaintext; }
for ((r = 1; r <= runs; r++)); do
  echo "== run $r"
  run "cp --sparse=always" "$dir/dst/cp.raw" cp --sparse=always "$src" "$dir/dst/cp.raw"
  run "qemu-img convert -m16 -W" "$dir/dst/qemu.raw" \
    qemu-img convert -m 16 -W -f raw -O raw "$src" "$dir/dst/qemu.raw"
  run "ferry (verify)" "$dir/dst/ferry.raw" \
    ferry copy file:src:disk.raw file:dst:ferry.raw --create --wait
  run "ferry (no verify)" "$dir/dst/ferry-nv.raw" \
    ferry copy file:src:disk.raw file:dst:ferry-nv.raw --create --no-verify --wait
done

rss_kib=$(awk '/VmHWM/ {print $2}' /proc/$agent/status)
echo
echo "== best of $runs, ${data_mib} MiB of data in a ${size_gib} GiB file"
q=${best["qemu-img convert -m16 -W"]}
for name in "cp --sparse=always" "qemu-img convert -m16 -W" "ferry (verify)" \
    "ferry (verify) [job]" "ferry (no verify)" "ferry (no verify) [job]"; do
  printf '  %-26s %6.2f s  %7.1f MiB/s  %5.2fx qemu-img\n' "$name" "${best[$name]}" \
    "$(echo "$data_mib / ${best[$name]}" | bc -l)" "$(echo "$q / ${best[$name]}" | bc -l)"
done
echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  agent peak RSS: $((rss_kib / 1024)) MiB"
rm -rf "$dir"
