#!/usr/bin/env bash
# A private libvirtd + virtlogd for Ferry's tests and benchmarks, touching nothing host-wide.
#
#   libvirt-lab.sh start  [DIR]   start (idempotent); prints the connection URI
#   libvirt-lab.sh stop   [DIR]   stop both daemons (by pid file) and every domain they run
#   libvirt-lab.sh status [DIR]   exit 0 when libvirtd answers
#   libvirt-lab.sh uri    [DIR]   print the URI (qemu:///system?socket=DIR/run/libvirt-sock)
#   libvirt-lab.sh domain [DIR] NAME DISK   define (persistent) and start a tiny TCG domain
#        DISK: file:/path/img.qcow2 | file:/path/img.raw | rbd:POOL/IMAGE@HOST:PORT
#        The domain has no guest OS (no boot disk, no network, 64 MiB) and one data disk vdb.
#        FERRY_LAB_SHAREABLE=1 marks vdb <shareable/> (cache none), so that the same QEMU can
#        also export it over NBD (nbd-server-start + block-export-add) for a fast writer (bench).
#   libvirt-lab.sh undefine [DIR] NAME      destroy and undefine it (if defined)
#
# DIR defaults to $FERRY_LIBVIRT_DIR or /tmp/ferry-libvirt.
# How: libvirtd in system mode has fixed paths (/etc/libvirt, /run/libvirt, /var/lib/libvirt,
# /var/log/libvirt, /var/cache/libvirt). The daemons run in a private mount namespace
# (unshare --mount --propagation private) where those paths are bind mounts of DIR/etc, DIR/run,
# ...; the unix socket lives in DIR/run, so clients outside the namespace connect through
# the socket= URI parameter. QEMU children inherit the namespace. Needs root. No systemd.
set -euo pipefail

cmd=${1:-}
shift || true
if [[ "$cmd" == domain || "$cmd" == undefine ]]; then
  if (($# >= 3)) || { [[ "$cmd" == undefine ]] && (($# >= 2)); }; then DIR=$1; shift; fi
else
  [[ $# -ge 1 ]] && DIR=$1
fi
DIR=${DIR:-${FERRY_LIBVIRT_DIR:-/tmp/ferry-libvirt}}
DIR=$(realpath -m "$DIR")
SOCK=$DIR/run/libvirt-sock
URI="qemu:///system?socket=$SOCK"
LIBVIRTD_PID=$DIR/libvirtd.pid
VIRTLOGD_PID=$DIR/virtlogd.pid

log() { echo "libvirt-lab: $*" >&2; }
virsh_() { timeout 60 virsh -q -c "$URI" "$@"; }

# A pid from FILE, only if that process is still DAEMON started with DIR's config.
live_pid() {
  local file=$1 daemon=$2 pid
  [[ -s "$file" ]] || return 1
  pid=$(<"$file")
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' </proc/"$pid"/cmdline | grep -q "$daemon.* -f $DIR/" || return 1
  echo "$pid"
}

answers() { [[ -S "$SOCK" ]] && timeout 10 virsh -q -c "$URI" version >/dev/null 2>&1; }

write_config() {
  mkdir -p "$DIR"/{etc/qemu,run,lib,log,cache}
  cat >"$DIR/etc/libvirtd.conf" <<EOF
unix_sock_dir = "$DIR/run"
unix_sock_rw_perms = "0770"
auth_unix_rw = "none"
auth_unix_ro = "none"
listen_tls = 0
listen_tcp = 0
log_outputs = "3:file:$DIR/log/libvirtd.log"
EOF
  cat >"$DIR/etc/virtlogd.conf" <<EOF
log_outputs = "3:file:$DIR/log/virtlogd.log"
EOF
  # No cgroups, no security driver, no per-domain namespaces: a lab inside a container.
  cat >"$DIR/etc/qemu.conf" <<EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
EOF
  : >"$DIR/etc/libvirt.conf"
}

start() {
  command -v libvirtd >/dev/null || { log "libvirtd not installed (libvirt-daemon-system)"; exit 2; }
  if live_pid "$LIBVIRTD_PID" libvirtd >/dev/null && answers; then
    echo "$URI"; return 0
  fi
  stop_daemons quiet
  write_config
  rm -f "$DIR"/run/*sock*
  # The inner shell sets up the mounts, then both daemons daemonise and keep the namespace.
  unshare --mount --propagation private bash -euc '
    D=$1
    mount --bind "$D/etc" /etc/libvirt
    mkdir -p /run/libvirt /var/lib/libvirt /var/log/libvirt /var/cache/libvirt
    mount --bind "$D/run" /run/libvirt
    mount --bind "$D/lib" /var/lib/libvirt
    mount --bind "$D/log" /var/log/libvirt
    mount --bind "$D/cache" /var/cache/libvirt
    virtlogd -d -f "$D/etc/virtlogd.conf" -p "$D/virtlogd.pid"
    libvirtd -d -f "$D/etc/libvirtd.conf" -p "$D/libvirtd.pid"
  ' lab "$DIR"
  for _ in $(seq 1 60); do
    answers && { echo "$URI"; return 0; }
    sleep 0.5
  done
  log "libvirtd did not answer within 30 s; see $DIR/log/libvirtd.log"
  exit 1
}

stop_daemons() {
  local quiet=${1:-} pid
  if pid=$(live_pid "$LIBVIRTD_PID" libvirtd); then
    # Domains first: QEMU processes outlive libvirtd otherwise.
    if answers; then
      for d in $(virsh_ list --name 2>/dev/null); do virsh_ destroy "$d" >/dev/null 2>&1 || true; done
    fi
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # QEMU processes this lab started (their monitor sockets are under DIR/lib).
  for p in $(pgrep -f "qemu-system.*$DIR/lib/" 2>/dev/null || true); do kill "$p" 2>/dev/null || true; done
  if pid=$(live_pid "$VIRTLOGD_PID" virtlogd); then
    kill "$pid" 2>/dev/null || true
  fi
  rm -f "$LIBVIRTD_PID" "$VIRTLOGD_PID" "$DIR"/run/*sock*
  [[ -n "$quiet" ]] || log "stopped ($DIR)"
}

domain_xml() {
  local name=$1 disk=$2 src fmt pool image host port share="" cache=""
  if [[ "${FERRY_LAB_SHAREABLE:-0}" == 1 ]]; then share="<shareable/>"; cache=" cache='none'"; fi
  case "$disk" in
    file:*)
      src=${disk#file:}
      fmt=$(qemu-img info --output=json -U "$src" | sed -n 's/.*"format": "\([a-z0-9]*\)".*/\1/p' | head -1)
      DISK_XML="<disk type='file' device='disk'><driver name='qemu' type='$fmt'$cache/>
      <source file='$src'/><target dev='vdb' bus='virtio'/>$share</disk>" ;;
    rbd:*)
      src=${disk#rbd:}; pool=${src%%/*}; image=${src#*/}; image=${image%@*}
      host=${src##*@}; port=${host##*:}; host=${host%:*}
      DISK_XML="<disk type='network' device='disk'><driver name='qemu' type='raw'$cache/>
      <source protocol='rbd' name='$pool/$image'><host name='$host' port='$port'/></source>
      <target dev='vdb' bus='virtio'/>$share</disk>" ;;
    *) log "DISK must be file:PATH or rbd:POOL/IMAGE@HOST:PORT"; exit 2 ;;
  esac
  cat <<EOF
<domain type='qemu'>
  <name>$name</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    $DISK_XML
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

domain() {
  local name=$1 disk=$2 xml
  answers || { log "libvirtd is not running in $DIR: run '$0 start $DIR' first"; exit 1; }
  xml=$(mktemp "$DIR/domain-XXXX.xml")
  domain_xml "$name" "$disk" >"$xml"
  virsh_ define "$xml" >/dev/null
  rm -f "$xml"
  virsh_ start "$name" >/dev/null
  echo "$name"
}

case "$cmd" in
  start) start ;;
  stop) stop_daemons ;;
  status) if answers; then echo "running $URI"; else echo "stopped"; exit 3; fi ;;
  uri) echo "$URI" ;;
  domain) (($# == 2)) || { log "usage: $0 domain [DIR] NAME DISK"; exit 2; }; domain "$@" ;;
  undefine)
    virsh_ destroy "$1" >/dev/null 2>&1 || true
    if virsh_ dominfo "$1" >/dev/null 2>&1; then virsh_ undefine "$1" >/dev/null; fi ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
