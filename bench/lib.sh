# Shared set-up of the file benchmarks (file-copy.sh, convert.sh); sourced, not run.
#
# The caller sets size_gib, runs, dir and port, then calls bench_setup. It gets:
#   $jar, $dir/{src,dst,journal}, an agent on 127.0.0.1:$port serving roots src and dst,
#   ferry ARGS...          the CLI through scripts/ferry (C1, class-data archive), against it;
#   striped_raw FILE       a sparse ${size_gib} GiB file, every other 64 MiB random ($data_mib);
#   timed VAR OUT CMD...   runs CMD (stdout in $dir/last.out) and fsyncs its output file OUT,
#                          puts the seconds into VAR;
#   job_seconds            the last job's time as the agent recorded it (created -> completed);
#   keep_best NAME SECS    remembers the best time of NAME in ${best[NAME]}.
# Everything started here is stopped on exit; $dir is deleted at the end by bench_cleanup.

bench_setup() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  jar=${FERRY_JAR:-$PWD/java-agent/target/ferry-agent.jar}
  [ -f "$jar" ] || mvn -B -q -ntp -DskipTests package
  export FERRY_JAR=$jar
  export XDG_CACHE_HOME=$dir/cache # the CLI's class-data archive, made fresh for this jar
  cli=$PWD/scripts/ferry
  rm -rf "$dir"
  mkdir -p "$dir"/{src,dst,journal,cache}
  cat > "$dir/agent.yaml" <<YAML
listen: 127.0.0.1:$port
insecure_plaintext: true
roots:
  src: src
  dst: dst
journal_dir: journal
YAML
  FERRY_AGENT_JAVA_OPTS="-Xmx512m ${FERRY_AGENT_JAVA_OPTS:-}" "$cli" agent --config "$dir/agent.yaml" \
    > "$dir/agent.log" 2>&1 &
  agent=$!
  trap 'kill $agent 2>/dev/null || true' EXIT
  local up=""
  for _ in $(seq 100); do
    if ferry caps >/dev/null 2>&1; then up=1; break; fi
    sleep 0.3
  done
  [ -n "$up" ] || { echo "!! the agent did not come up; see $dir/agent.log"; exit 1; }
  # The first client run after a jar change makes the class-data archive: do it untimed, with
  # a small copy (the classes of `copy --wait`).
  truncate -s 64M "$dir/src/warm.raw"
  ferry copy file:src:warm.raw file:dst:warm.raw --create --wait >/dev/null
  rm -f "$dir/src/warm.raw" "$dir/dst/warm.raw"
  declare -gA best=()
}

ferry() { "$cli" "$@" --agent "127.0.0.1:$port" --plaintext; }

striped_raw() { # file [size_gib]
  local file=$1 gib=${2:-$size_gib} stripe_mib=64
  local stripes=$((gib * 1024 / stripe_mib))
  truncate -s "${gib}G" "$file"
  for ((i = 0; i < stripes; i += 2)); do
    head -c "${stripe_mib}M" /dev/urandom |
      dd of="$file" bs=1M seek=$((i * stripe_mib)) conv=notrunc status=none
  done
  data_mib=$(( (stripes + 1) / 2 * stripe_mib ))
}

timed() { # var, output file, command...
  local var=$1 out=$2; shift 2
  local t0 t1
  t0=$(date +%s.%N)
  "$@" > "$dir/last.out"
  sync "$out"
  t1=$(date +%s.%N)
  printf -v "$var" '%s' "$(echo "$t1 - $t0" | bc -l)"
}

job_seconds() {
  local id; id=$(awk '/^job / {print $2; exit}' "$dir/last.out")
  ferry job "$id" | awk '/^(created|updated):/ {print $2}' |
    while read -r ts; do date -d "$ts" +%s.%N; done | paste -sd' ' | awk '{print $2 - $1}'
}

keep_best() { # name, seconds
  if [ -z "${best[$1]:-}" ] || (( $(echo "$2 < ${best[$1]}" | bc -l) )); then
    best[$1]=$2
  fi
}

agent_rss_mib() { echo $(( $(awk '/VmHWM/ {print $2}' "/proc/$agent/status") / 1024 )); }

bench_cleanup() { rm -rf "$dir"; }
