#!/usr/bin/env bash
# Format conversion throughput: Ferry (a real agent, driven by `ferry copy --wait`) against
# `qemu-img convert -m 16 -W`, in the same run, on the same 4 GiB half-full image, for
# qcow2->raw, raw->qcow2, vmdk->raw and vhd->raw. Every timed command includes an fsync of its
# output; every output is compared with the source by `qemu-img compare`. Not part of CI.
#
#   bash bench/convert.sh [SIZE_GIB=4] [RUNS=1]
#   FERRY_BENCH_DIR=/tmp/ferry-convert (needs about SIZE x 3 of free space; deleted at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
size_gib=${1:-4}
runs=${2:-1}
dir=${FERRY_BENCH_DIR:-/tmp/ferry-convert}
jar=${FERRY_JAR:-java-agent/target/ferry-agent.jar}
port=${FERRY_BENCH_PORT:-17421}
[ -f "$jar" ] || mvn -B -q -ntp -DskipTests package

rm -rf "$dir"; mkdir -p "$dir"/{src,dst,journal}
raw=$dir/src/disk.raw
stripe_mib=64
stripes=$((size_gib * 1024 / stripe_mib))
echo "== creating ${size_gib} GiB sources: every other ${stripe_mib} MiB random data"
truncate -s "${size_gib}G" "$raw"
for ((i = 0; i < stripes; i += 2)); do
  head -c "${stripe_mib}M" /dev/urandom | dd of="$raw" bs=1M seek=$((i * stripe_mib)) conv=notrunc status=none
done
data_mib=$(( (stripes + 1) / 2 * stripe_mib ))
qemu-img convert -f raw -O qcow2 "$raw" "$dir/src/disk.qcow2"
qemu-img convert -f raw -O vmdk "$raw" "$dir/src/disk.vmdk"
qemu-img convert -f raw -O vpc -o force_size=on "$raw" "$dir/src/disk.vhd"
sync

cat > "$dir/agent.yaml" <<YAML
listen: 127.0.0.1:$port
insecure_plaintext: true
roots:
  src: src
  dst: dst
journal_dir: journal
YAML
java -Xmx512m -jar "$jar" agent --config "$dir/agent.yaml" > "$dir/agent.log" 2>&1 &
agent=$!
trap 'kill $agent 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  java -jar "$jar" caps --agent 127.0.0.1:$port --plaintext >/dev/null 2>&1 && break; sleep 0.3
done

declare -A best
run() { # name, source, source format, output, output format, command...
  local name=$1 in=$2 infmt=$3 out=$4 outfmt=$5; shift 5
  rm -f "$out"
  local t0 t1 secs
  t0=$(date +%s.%N)
  "$@" >"$dir/last.out"
  sync "$out"
  t1=$(date +%s.%N)
  secs=$(echo "$t1 - $t0" | bc -l)
  qemu-img compare -q -f "$infmt" -F "$outfmt" "$in" "$out" \
    || { echo "!! $name: output differs from the source"; exit 1; }
  record "$name" "$secs" "$out"
  if [[ $name == *ferry* ]]; then
    # The same job timed by the agent (created -> completed), without the CLI's JVM start.
    local id; id=$(awk '/^job / {print $2; exit}' "$dir/last.out")
    secs=$(ferry job "$id" | awk '/^(created|updated):/ {print $2}' |
      while read -r ts; do date -d "$ts" +%s.%N; done | paste -sd' ' | awk '{print $2 - $1}')
    record "$name [job]" "$secs" "$out"
  fi
  rm -f "$out"
}

record() { # name, seconds, output file
  local name=$1 secs=$2 out=$3
  printf '  %-40s %6.2f s  %7.1f MiB/s (data)  allocated %5d MiB\n' "$name" "$secs" \
    "$(echo "$data_mib / $secs" | bc -l)" "$(du -m "$out" | cut -f1)"
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
pairs=("qcow2 raw" "raw qcow2" "vmdk raw" "vhd raw")
qemu_fmt() { [ "$1" = vhd ] && echo vpc || echo "$1"; }
for ((r = 1; r <= runs; r++)); do
  echo "== run $r"
  for p in "${pairs[@]}"; do
    set -- $p; from=$1; to=$2
    qf=$(qemu_fmt "$from"); qt=$(qemu_fmt "$to")
    src=$dir/src/disk.$from
    run "$from->$to qemu-img -m16 -W" "$src" "$qf" "$dir/dst/q.$to" "$qt" \
      qemu-img convert -m 16 -W -f "$qf" -O "$qt" "$src" "$dir/dst/q.$to"
    run "$from->$to ferry (verify)" "$src" "$qf" "$dir/dst/f.$to" "$qt" \
      ferry copy "file:src:disk.$from?format=$from" "file:dst:f.$to" --format "$to" --create --wait
    run "$from->$to ferry (no verify)" "$src" "$qf" "$dir/dst/n.$to" "$qt" \
      ferry copy "file:src:disk.$from?format=$from" "file:dst:n.$to" --format "$to" --create \
      --no-verify --wait
  done
done

echo
echo "== best of $runs, ${data_mib} MiB of data in a ${size_gib} GiB image"
for p in "${pairs[@]}"; do
  set -- $p
  q=${best["$1->$2 qemu-img -m16 -W"]}
  for tool in "qemu-img -m16 -W" "ferry (verify)" "ferry (verify) [job]" "ferry (no verify)" \
      "ferry (no verify) [job]"; do
    name="$1->$2 $tool"
    printf '  %-40s %6.2f s  %7.1f MiB/s  %5.2fx qemu-img\n' "$name" "${best[$name]}" \
      "$(echo "$data_mib / ${best[$name]}" | bc -l)" "$(echo "$q / ${best[$name]}" | bc -l)"
  done
done
echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  agent peak RSS: $(( $(awk '/VmHWM/ {print $2}' /proc/$agent/status) / 1024 )) MiB"
rm -rf "$dir"
