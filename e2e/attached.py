"""Helpers of the attached-volume end-to-end tests: the clouds' clients, the
guest's QEMU (writes through its monitor), the records to check afterwards.

Everything comes from `scripts/openstack-lab.sh env` (OS_*, LIBVIRT_URI,
CEPH_CONF_1, FERRY_OS_MYSQL, FERRY_AGENT_ADDR, FERRY_TLS_*).
"""

import json
import mmap
import os
import random
import re
import subprocess
import sys
import threading
import time
import traceback
import xml.etree.ElementTree as ET

import libvirt
import libvirt_qemu

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'cinder-shim'))

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB


def env(name):
    value = os.environ.get(name)
    if not value:
        raise RuntimeError('%s is not set: run the tests through e2e/run-tests.sh '
                           'or eval "$(scripts/openstack-lab.sh env)"' % name)
    return value


def wait(what, check, timeout, interval=1.0):
    """check() until it returns something true; returns it."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError('%s: not after %ss (last: %r)' % (what, timeout, last))


# -- OpenStack ------------------------------------------------------------------------------

class Cloud:
    def __init__(self):
        from cinderclient import client as cinder_client
        from keystoneauth1 import loading
        from keystoneauth1 import session
        from novaclient import client as nova_client
        auth = loading.get_plugin_loader('password').load_from_options(
            auth_url=env('OS_AUTH_URL'), username=env('OS_USERNAME'),
            password=env('OS_PASSWORD'), project_name=env('OS_PROJECT_NAME'),
            user_domain_name=os.environ.get('OS_USER_DOMAIN_NAME', 'Default'),
            project_domain_name=os.environ.get('OS_PROJECT_DOMAIN_NAME', 'Default'))
        sess = session.Session(auth=auth)
        region = os.environ.get('OS_REGION_NAME', 'RegionOne')
        self.cinder = cinder_client.Client('3.60', session=sess, region_name=region)
        self.nova = nova_client.Client('2.87', session=sess, region_name=region)

    def volume(self, vid):
        return self.cinder.volumes.get(vid)

    def create_volume(self, name, vtype, size_gb=1):
        vol = self.cinder.volumes.create(size_gb, name=name, volume_type=vtype)
        return wait('volume %s available' % name,
                    lambda: self._status_in(vol.id, 'available'), 120)

    def _status_in(self, vid, *states):
        v = self.volume(vid)
        if v.status == 'error':
            raise AssertionError('volume %s went to error' % vid)
        return v if v.status in states else None

    def boot_from_volume(self, name, volume_id, flavor='ferry.tiny'):
        fl = self.nova.flavors.find(name=flavor)
        server = self.nova.servers.create(
            name, image=None, flavor=fl, nics='none',
            block_device_mapping_v2=[{
                'uuid': volume_id, 'source_type': 'volume',
                'destination_type': 'volume', 'boot_index': 0,
                'delete_on_termination': False}])
        return self.wait_server(server.id, 'ACTIVE', 240)

    def wait_server(self, sid, status, timeout):
        def check():
            s = self.nova.servers.get(sid)
            if s.status == 'ERROR':
                raise AssertionError('server %s in ERROR: %s' % (
                    sid, getattr(s, 'fault', '')))
            return s if s.status == status else None
        return wait('server %s %s' % (sid, status), check, timeout)

    def attach(self, server_id, volume_id):
        att = self.nova.volumes.create_server_volume(server_id, volume_id)
        wait('volume %s in-use' % volume_id,
             lambda: self._status_in(volume_id, 'in-use'), 180)
        return att.device

    def detach(self, server_id, volume_id):
        self.nova.volumes.delete_server_volume(server_id, volume_id)
        wait('volume %s available' % volume_id,
             lambda: self._status_in(volume_id, 'available'), 180)

    def delete_volume(self, vid):
        try:
            self.cinder.volumes.delete(vid)
        except Exception:   # already gone, or still busy: the lab is thrown away
            pass

    def retype_on_demand(self, vid, new_type, timeout=900, interval=0.5):
        """Returns (seconds, volume) once the migration ended (success or error).
        Only for retypes that migrate (between backends): the volume passes
        through status 'in-use' with no migration status on its way."""
        t0 = time.monotonic()
        self.cinder.volumes.retype(vid, new_type, 'on-demand')

        started = []

        def ended():
            # Right after the request the volume may still show its old state:
            # the migration has ended only once it was seen started.
            v = self.volume(vid)
            ms = migstat(v)
            if v.status == 'retyping' or ms in ('starting', 'migrating', 'completing'):
                started.append(v)
            if started and ms in ('success', 'error') and v.status != 'retyping':
                return v
            return None
        v = wait('retype of %s' % vid, ended, timeout, interval=interval)
        return time.monotonic() - t0, v

    def wait_swap_done(self, server_id, timeout=300):
        """Nova's swap_volume instance action, once every event of it ended.
        Cinder reports the migration's end from migrate_volume_completion,
        before Nova has saved the new block-device mapping."""
        def done():
            acts = [a for a in self.nova.instance_action.list(server_id)
                    if a.action == 'swap_volume']
            if not acts:
                return None
            act = self.nova.instance_action.get(server_id, acts[0].request_id)
            events = getattr(act, 'events', [])
            if events and all(e.get('finish_time') for e in events):
                return act
            return None
        return wait('swap_volume of %s ended in Nova' % server_id, done, timeout)

    def attachments(self, vid):
        return self.cinder.attachments.list(search_opts={'volume_id': vid})


def migstat(volume):
    return (getattr(volume, 'os-vol-mig-status-attr:migstat', None) or
            getattr(volume, 'migration_status', None))


def nova_bdm(volume_id, with_attachment=False):
    """connection_info of the volume's live block-device mapping, from Nova's
    DB (and its Cinder attachment id)."""
    sql = ("SELECT connection_info, attachment_id FROM nova.block_device_mapping "
           "WHERE volume_id='%s' AND deleted=0" % volume_id)
    out = subprocess.run(env('FERRY_OS_MYSQL').split() + ['-N', '-B', '-r', '-e', sql],
                         check=True, capture_output=True, text=True).stdout.strip()
    rows = [r for r in out.splitlines() if r.strip()]
    assert len(rows) == 1, 'expected one live mapping of %s, got %r' % (volume_id, rows)
    info, attachment_id = rows[0].split('\t')
    return (json.loads(info), attachment_id) if with_attachment else json.loads(info)


# -- libvirt and the guest's QEMU -----------------------------------------------------------

class Guest:
    def __init__(self, domain_name):
        self.conn = libvirt.open(env('LIBVIRT_URI'))
        self.name = domain_name

    @property
    def dom(self):
        return self.conn.lookupByName(self.name)

    def close(self):
        self.conn.close()

    def xml(self, persistent=False):
        flags = libvirt.VIR_DOMAIN_XML_INACTIVE if persistent else 0
        return self.dom.XMLDesc(flags)

    def disk(self, dev, persistent=False):
        """(source name, alias) of the disk with target dev."""
        root = ET.fromstring(self.xml(persistent))
        for d in root.findall('./devices/disk'):
            if d.find('target').get('dev') == dev:
                src = d.find('source')
                alias = d.find('alias')
                return (src.get('name') or src.get('file'),
                        alias.get('name') if alias is not None else None)
        raise AssertionError('no disk %s in %s' % (dev, self.name))

    def hmp(self, command):
        return libvirt_qemu.qemuMonitorCommand(
            self.dom, command, libvirt_qemu.VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP)

    def qemu_io(self, dev, command):
        alias = self.disk(dev)[1]
        out = self.hmp('qemu-io -d %s/virtio-backend "%s"' % (alias, command))
        if out.strip():
            raise AssertionError('qemu-io %s %r: %s' % (dev, command, out.strip()))


def slot_sets(disk_bytes, seed, parts, size=64 * KIB, skip=()):
    """Disjoint random orders of the disk's slots, one per writer."""
    slots = [s for s in range(disk_bytes // size) if s not in set(skip)]
    random.Random(seed).shuffle(slots)
    return [slots[i::parts] for i in range(parts)]


class Writer(threading.Thread):
    """Writes distinct 64 KiB slots of a disk through the guest's QEMU and
    records each write (offset, length, pattern byte) once QEMU answered it.

    rate: bytes/s to aim at (None: as fast as the monitor goes).
    aio: aio_write (no wait for the write to finish; `aio_flush` at stop).
    """

    def __init__(self, guest, dev, slots, rate=None, aio=False,
                 size=64 * KIB, avoid=()):
        super().__init__(daemon=True)
        self.guest, self.dev, self.size, self.rate, self.aio = guest, dev, size, rate, aio
        self.alias = guest.disk(dev)[1]
        self.slots = slots
        self.patterns = [p for p in range(0x10, 0xf0) if p not in avoid]
        self.records = []
        self.times = []     # when QEMU answered each write (wall clock, as the agent's)
        self.errors = []
        self._halt = threading.Event()
        self.started_at = self.stopped_at = None

    def write_one(self):
        i = len(self.records)
        # Past the last slot, start over: a slot's last record is what counts.
        off = self.slots[i % len(self.slots)] * self.size
        pat = self.patterns[i % len(self.patterns)]
        op = 'aio_write -q' if self.aio else 'write -q'
        out = self.guest.hmp('qemu-io -d %s/virtio-backend "%s -P 0x%02x %d %d"'
                             % (self.alias, op, pat, off, self.size))
        if out.strip():
            raise AssertionError('write at %d: %s' % (off, out.strip()))
        self.records.append((off, self.size, pat))
        self.times.append(time.time())

    def run(self):
        self.started_at = time.monotonic()
        try:
            while not self._halt.is_set():
                self.write_one()
                if self.rate:
                    ahead = (len(self.records) * self.size / self.rate
                             - (time.monotonic() - self.started_at))
                    if ahead > 0:
                        self._halt.wait(ahead)
        except Exception:   # kept, with its traceback, for the test to report
            self.errors.append(traceback.format_exc())
        finally:
            self.stopped_at = time.monotonic()

    def stop(self):
        self._halt.set()
        self.join(60)
        if self.aio:
            self.guest.hmp('qemu-io -d %s/virtio-backend "aio_flush"' % self.alias)
        assert not self.errors, 'writer failed after %d writes:\n%s' % (
            len(self.records), '\n'.join(self.errors))

    def records_between(self, t0, t1):
        return [r for r, t in zip(self.records, self.times) if t0 <= t < t1]

    def mib_per_s(self):
        span = (self.stopped_at or time.monotonic()) - self.started_at
        return len(self.records) * self.size / MIB / span


# -- Ceph -----------------------------------------------------------------------------------

def rbd(*args, timeout=300, cluster=1):
    return subprocess.run(['timeout', str(timeout), 'rbd', '-c', env('CEPH_CONF_%d' % cluster)]
                          + list(args), check=True, capture_output=True, text=True).stdout


def rbd_exists(pool, image, cluster=1):
    return image in rbd('ls', pool, cluster=cluster).split()


def rbd_fill(pool, image, total=1 * GIB):
    """Allocates the whole image with one repeated byte (`rbd bench`), so that
    a mirror has real data to copy."""
    rbd('bench', '--io-type', 'write', '--io-size', '4M', '--io-threads', '4',
        '--io-total', str(total), '--io-pattern', 'seq', '%s/%s' % (pool, image))


def rbd_byte_at(pool, image, workdir, offset=0):
    path = rbd_export(pool, image, workdir, name='probe')
    try:
        with open(path, 'rb') as f:
            f.seek(offset)
            return f.read(1)[0]
    finally:
        os.unlink(path)


def rbd_export(pool, image, workdir, name='export', cluster=1):
    path = os.path.join(workdir, '%s-%s.raw' % (name, image))
    if os.path.exists(path):
        os.unlink(path)
    rbd('export', '--no-progress', '%s/%s' % (pool, image), path, cluster=cluster)
    return path


def missing_writes(path, records):
    """Records whose bytes are not on the exported image (a slot written
    more than once: its last record)."""
    records = list({off: (off, length, pat) for off, length, pat in records}.values())
    bad = []
    with open(path, 'rb') as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        for off, length, pat in records:
            if m[off:off + length] != bytes([pat]) * length:
                bad.append((off, length, pat))
    return bad


# -- the Ferry agent --------------------------------------------------------------------------

def agent_client():
    from ferry_agent_client import AgentClient
    from ferry_agent_client import ChannelSettings
    return AgentClient(ChannelSettings(
        address=env('FERRY_AGENT_ADDR'), cert_file=env('FERRY_TLS_CERT'),
        key_file=env('FERRY_TLS_KEY'), ca_file=env('FERRY_TLS_CA'),
        server_name=None))


def mirror_jobs(volume_id):
    """The agent's live-mirror jobs for a volume (label volume_id), oldest first."""
    from ferry_agent_client.proto import job_pb2
    with agent_client() as agent:
        jobs = agent.list_jobs(labels={'volume_id': volume_id})
    return sorted((j for j in jobs if j.kind == job_pb2.LIVE_MIRROR),
                  key=lambda j: j.created.ToNanoseconds())


def block_jobs():
    """Every block job on the host's domains as the agent sees them, whoever
    started them (stock Nova's included)."""
    from ferry_agent_client.proto import agent_pb2
    with agent_client() as agent:
        return agent._call('ListBlockJobs', agent._stub.ListBlockJobs,
                           agent_pb2.ListBlockJobsRequest()).jobs


def ferry_cli(*args):
    """The operator's `ferry` command (the agent jar) against the lab's agent."""
    jar = os.environ.get('FERRY_AGENT_JAR') or os.path.join(
        env('FERRY_OS_DIR'), 'agent', 'ferry-agent.jar')
    e = dict(os.environ, FERRY_AGENT=env('FERRY_AGENT_ADDR'), FERRY_CERT=env('FERRY_TLS_CERT'),
             FERRY_KEY=env('FERRY_TLS_KEY'), FERRY_CA=env('FERRY_TLS_CA'))
    return subprocess.run(['java', '-jar', jar] + list(args), env=e, capture_output=True,
                          text=True, timeout=120)


def events_text(job):
    from ferry_agent_client.proto import state_name
    return ['%s %s: %s' % (state_name(ev.state), ev.kind, ev.message) for ev in job.events]


def source_name(pool, image):
    return '%s/%s' % (pool, image)


def rbd_name_of(connection_info):
    """Nova's connection_info has the RBD details under 'data'; Cinder's
    attachment record has them at the top."""
    return connection_info.get('data', connection_info)['name']


VOLUME_IMAGE = re.compile(r'^volume-[0-9a-f-]{36}$')


def bdm_catch_up(volume_id, new_source, timeout=120, interval=0.05):
    """Right after Cinder reported the migration's success: what Nova's
    block-device mapping says at once, and how long until it names
    new_source. Returns (first rbd name read, seconds until new_source).
    Nova saves the mapping only after Cinder's migrate_volume_completion
    returned to it, so the first read may still name the old image."""
    t0 = time.monotonic()
    first = rbd_name_of(nova_bdm(volume_id))
    name = first
    while name != new_source:
        if time.monotonic() - t0 > timeout:
            raise AssertionError('Nova\'s mapping of %s still names %s %ss after Cinder\'s '
                                 'success' % (volume_id, name, timeout))
        time.sleep(interval)
        name = rbd_name_of(nova_bdm(volume_id))
    return first, time.monotonic() - t0


def set_pool_write_iops(pool, limit):
    """librbd QoS of every image of the pool, for every client that opens
    one from now on (the guest's QEMU among them): at most `limit` writes/s
    per image; 0 removes the limit."""
    if limit:
        rbd('config', 'pool', 'set', pool, 'rbd_qos_write_iops_limit', str(limit))
    else:
        rbd('config', 'pool', 'remove', pool, 'rbd_qos_write_iops_limit')


class RaceWatch(threading.Thread):
    """Reads Cinder's migration_status and Nova's block-device mapping of one
    volume in one SQL statement (one consistent view of both databases),
    every few milliseconds, to see whether Cinder says "success" while Nova's
    mapping still names the old image."""

    def __init__(self, volume_id):
        super().__init__(daemon=True)
        self.sql = ("SELECT v.migration_status, b.connection_info FROM cinder.volumes v "
                    "JOIN nova.block_device_mapping b ON b.volume_id = v.id AND b.deleted = 0 "
                    "WHERE v.id = '%s'" % volume_id)
        self.samples = []     # (time, cinder migration_status, Nova's rbd name)
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            out = subprocess.run(env('FERRY_OS_MYSQL').split() + ['-N', '-B', '-r', '-e', self.sql],
                                 capture_output=True, text=True).stdout.strip()
            if out and '\t' in out:
                status, info = out.splitlines()[0].split('\t', 1)
                self.samples.append((time.time(), status, rbd_name_of(json.loads(info))))
            self._halt.wait(0.02)

    def stop(self):
        self._halt.set()
        self.join(30)

    def summary(self, new_source):
        """Seconds for which Cinder said success while Nova named another image."""
        success = [s for s in self.samples if s[1] == 'success']
        if not success:
            return dict(samples=len(self.samples), cinder_success_seen=False)
        t_success = success[0][0]
        new = [s for s in self.samples if s[2] == new_source]
        stale = [s for s in success if s[2] != new_source]
        return dict(samples=len(self.samples),
                    nova_old_at_cinder_success=success[0][2] != new_source,
                    stale_samples=len(stale),
                    nova_new_after_cinder_success_s=round(new[0][0] - t_success, 3)
                    if new else None)
