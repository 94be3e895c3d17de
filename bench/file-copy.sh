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
size_gib=${1:-4}
runs=${2:-2}
dir=${FERRY_BENCH_DIR:-/tmp/ferry-bench}
port=${FERRY_BENCH_PORT:-17420}
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
bench_setup

src=$dir/src/disk.raw
echo "== creating $src: ${size_gib} GiB, every other 64 MiB random data"
striped_raw "$src"
sync "$src"

run() { # name, output file, command...
  local name=$1 out=$2; shift 2
  rm -f "$out"
  local secs
  timed secs "$out" "$@"
  record "$name" "$secs" "$out"
  if [[ $name == ferry* ]]; then
    # The same job timed by the agent (created -> completed): without the CLI's JVM start.
    record "$name [job]" "$(job_seconds)" "$out"
  fi
}

record() { # name, seconds, output file
  local name=$1 secs=$2 out=$3
  cmp -s "$src" "$out" || { echo "!! $name: output differs from the source"; exit 1; }
  local alloc; alloc=$(du -m "$out" | cut -f1)
  printf '  %-26s %6.2f s  %7.1f MiB/s (data)  allocated %5d MiB\n' "$name" "$secs" \
    "$(echo "$data_mib / $secs" | bc -l)" "$alloc"
  keep_best "$name" "$secs"
}

for ((r = 1; r <= runs; r++)); do
  echo "== run $r (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  run "cp --sparse=always" "$dir/dst/cp.raw" cp --sparse=always "$src" "$dir/dst/cp.raw"
  run "qemu-img convert -m16 -W" "$dir/dst/qemu.raw" \
    qemu-img convert -m 16 -W -f raw -O raw "$src" "$dir/dst/qemu.raw"
  run "ferry (verify)" "$dir/dst/ferry.raw" \
    ferry copy file:src:disk.raw file:dst:ferry.raw --create --wait
  run "ferry (no verify)" "$dir/dst/ferry-nv.raw" \
    ferry copy file:src:disk.raw file:dst:ferry-nv.raw --create --no-verify --wait
done

echo
echo "== best of $runs, ${data_mib} MiB of data in a ${size_gib} GiB file"
q=${best["qemu-img convert -m16 -W"]}
for name in "cp --sparse=always" "qemu-img convert -m16 -W" "ferry (verify)" \
    "ferry (verify) [job]" "ferry (no verify)" "ferry (no verify) [job]"; do
  printf '  %-26s %6.2f s  %7.1f MiB/s  %5.2fx qemu-img\n' "$name" "${best[$name]}" \
    "$(echo "$data_mib / ${best[$name]}" | bc -l)" "$(echo "$q / ${best[$name]}" | bc -l)"
done
echo "  load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  agent peak RSS: $(agent_rss_mib) MiB"
bench_cleanup
