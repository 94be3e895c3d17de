#!/usr/bin/env bash
# Format conversion throughput: Ferry (a real agent, driven by `ferry copy --wait` through
# scripts/ferry) against `qemu-img convert -m 16 -W`, in the same run, on the same 4 GiB
# half-full image, for qcow2->raw, raw->qcow2, vmdk->raw and vhd->raw. Every timed command
# includes an fsync of its output; every output is compared with the source by
# `qemu-img compare`. Not part of CI.
#
#   bash bench/convert.sh [SIZE_GIB=4] [RUNS=1]
#   FERRY_BENCH_DIR=/tmp/ferry-convert (needs about SIZE x 3 of free space; deleted at the end)
#   FERRY_BENCH_WARM=1: before timing, the agent converts each pair once on a 512 MiB image
#     (untimed), as a long-running agent that has converted before; 0 times a fresh agent's
#     first jobs (JIT warm-up included).
set -euo pipefail
size_gib=${1:-4}
runs=${2:-1}
dir=${FERRY_BENCH_DIR:-/tmp/ferry-convert}
port=${FERRY_BENCH_PORT:-17421}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup

pairs=("qcow2 raw" "raw qcow2" "vmdk raw" "vhd raw")
qemu_fmt() { [ "$1" = vhd ] && echo vpc || echo "$1"; }

make_sources() { # name, size_gib
  local raw=$dir/src/$1.raw
  striped_raw "$raw" "$2"
  qemu-img convert -f raw -O qcow2 "$raw" "$dir/src/$1.qcow2"
  qemu-img convert -f raw -O vmdk "$raw" "$dir/src/$1.vmdk"
  qemu-img convert -f raw -O vpc -o force_size=on "$raw" "$dir/src/$1.vhd"
}

if [ "${FERRY_BENCH_WARM:-1}" = 1 ]; then
  echo "== warming the agent up: each pair once on a 512 MiB image (untimed)"
  truncate -s 512M "$dir/src/warm.raw"
  head -c 256M /dev/urandom | dd of="$dir/src/warm.raw" conv=notrunc status=none
  qemu-img convert -f raw -O qcow2 "$dir/src/warm.raw" "$dir/src/warm.qcow2"
  qemu-img convert -f raw -O vmdk "$dir/src/warm.raw" "$dir/src/warm.vmdk"
  qemu-img convert -f raw -O vpc -o force_size=on "$dir/src/warm.raw" "$dir/src/warm.vhd"
  for p in "${pairs[@]}"; do
    set -- $p
    ferry copy "file:src:warm.$1?format=$1" "file:dst:warm.$2" --format "$2" --create --wait \
      >/dev/null
    rm -f "$dir/dst/warm.$2"
  done
  rm -f "$dir"/src/warm.*
fi

echo "== creating ${size_gib} GiB sources: every other 64 MiB random data"
make_sources disk "$size_gib"
sync

run() { # name, source, source format, output, output format, command...
  local name=$1 in=$2 infmt=$3 out=$4 outfmt=$5; shift 5
  rm -f "$out"
  local secs
  timed secs "$out" "$@"
  qemu-img compare -q -f "$infmt" -F "$outfmt" "$in" "$out" \
    || { echo "!! $name: output differs from the source"; exit 1; }
  record "$name" "$secs" "$out"
  if [[ $name == *ferry* ]]; then
    record "$name [job]" "$(job_seconds)" "$out" # without the CLI's JVM start
  fi
  rm -f "$out"
}

record() { # name, seconds, output file
  printf '  %-40s %6.2f s  %7.1f MiB/s (data)  allocated %5d MiB\n' "$1" "$2" \
    "$(echo "$data_mib / $2" | bc -l)" "$(du -m "$3" | cut -f1)"
  keep_best "$1" "$2"
}

for ((r = 1; r <= runs; r++)); do
  echo "== run $r (load average $(cut -d' ' -f1-3 /proc/loadavg))"
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
echo "  agent peak RSS: $(agent_rss_mib) MiB"
bench_cleanup
