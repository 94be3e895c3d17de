"""Shared helpers of the end-to-end tests on scripts/openstack-lab.sh's stack.

The tests run with /usr/bin/python3 and Debian's clients, in the environment
that `openstack-lab.sh env` prints (e2e/run-tests.sh evaluates it). Nothing
here starts services except through openstack-lab.sh.
"""

import contextlib
import hashlib
import os
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.path.join(REPO, 'scripts', 'openstack-lab.sh')
sys.path.insert(0, os.path.join(REPO, 'cinder-shim'))

MIB = 1 << 20
GIB = 1 << 30
# backend -> (Ceph cluster number, pool); cluster n's conf is $CEPH_CONF_n.
BACKENDS = {'ferry-a': (1, 'volumes-a'), 'ferry-b': (1, 'volumes-b'),
            'ferry-c': (2, 'volumes-c'), 'stock-a': (1, 'stock-a'),
            'stock-b': (1, 'stock-b')}


def env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail('%s is not set: run the tests through e2e/run-tests.sh '
                    '(it evaluates `scripts/openstack-lab.sh env`)' % name)
    return value


def host_of(backend):
    """Cinder's host string of a backend's (only) pool."""
    return '%s@%s#%s' % (os.environ.get('FERRY_OS_HOST', 'ferry-lab'),
                         backend, backend)


def lab(*args, timeout=600):
    """scripts/openstack-lab.sh ARGS; raises with its output on failure."""
    p = subprocess.run([LAB] + list(args), capture_output=True, text=True,
                       timeout=timeout)
    if p.returncode:
        raise AssertionError('openstack-lab.sh %s failed (%s):\n%s%s' % (
            ' '.join(args), p.returncode, p.stdout, p.stderr[-3000:]))
    return p.stdout


def wait(predicate, timeout, what, interval=1.0):
    """predicate()'s first truthy value; fails naming WHAT after TIMEOUT s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail('%s: not within %ss' % (what, timeout))
        time.sleep(interval)


# -- OpenStack -----------------------------------------------------------------

def session():
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3
    auth = v3.Password(
        auth_url=env('OS_AUTH_URL'), username=env('OS_USERNAME'),
        password=env('OS_PASSWORD'), project_name=env('OS_PROJECT_NAME'),
        user_domain_name='Default', project_domain_name='Default')
    return ks_session.Session(auth=auth, timeout=60)


def cinder_client(sess=None):
    from cinderclient import client
    return client.Client('3.60', session=sess or session(),
                         region_name=os.environ.get('OS_REGION_NAME'))


def vattr(volume, name):
    """host, migstat, name_id (os-vol-*-attr:...), or a plain attribute."""
    for prefix in ('os-vol-host-attr:', 'os-vol-mig-status-attr:', ''):
        if hasattr(volume, prefix + name):
            return getattr(volume, prefix + name)
    return None


def backend_of(volume):
    host = vattr(volume, 'host') or ''
    return host.split('@', 1)[1].split('#', 1)[0] if '@' in host else None


def image_of(volume):
    """(cluster, pool, image) where Cinder says the volume's data is."""
    cluster, pool = BACKENDS[backend_of(volume)]
    return cluster, pool, 'volume-%s' % (vattr(volume, 'name_id') or volume.id)


class Volumes:
    """Creates volumes and deletes them at the end of a test."""

    def __init__(self, cinder):
        self.cinder = cinder
        self.ids = []

    def create(self, volume_type, size=1, name='e2e'):
        v = self.cinder.volumes.create(size, name=name,
                                       volume_type=volume_type)
        self.ids.append(v.id)
        return self.wait_status(v.id, 'available', 180)

    def get(self, vid):
        return self.cinder.volumes.get(vid)

    def wait_status(self, vid, status, timeout):
        def ready():
            v = self.get(vid)
            if v.status in ('error', 'error_deleting'):
                pytest.fail('volume %s went to %s (read $CINDER_VOLUME_LOG)'
                            % (vid, v.status))
            return v if v.status == status else None
        return wait(ready, timeout, 'volume %s %s' % (vid, status))

    def delete_all(self):
        for vid in self.ids:
            with contextlib.suppress(Exception):
                self.cinder.volumes.delete(vid)
        for vid in self.ids:
            with contextlib.suppress(Exception):
                wait(lambda: not self._exists(vid), 120, 'deletion of ' + vid)

    def _exists(self, vid):
        from cinderclient import exceptions
        try:
            self.get(vid)
            return True
        except exceptions.NotFound:
            return False


def wait_moved(volumes, vid, timeout=600, on_poll=None):
    """The volume once its migration or retype ended (success or error)."""
    def ended():
        v = volumes.get(vid)
        if on_poll:
            on_poll(v)
        if (vattr(v, 'migstat') in ('success', 'error') and
                v.status not in ('retyping', 'migrating')):
            return v
        return None
    return wait(ended, timeout, 'end of the move of volume %s' % vid,
                interval=0.25)


# -- Ceph ------------------------------------------------------------------------

class Ceph:
    """The lab's clusters through the rbd CLI and python3-rados/rbd."""

    def __init__(self):
        self.confs = {1: env('CEPH_CONF_1'), 2: env('CEPH_CONF_2')}
        self._clusters = {}

    def _cluster(self, n):
        import rados
        if n not in self._clusters:
            c = rados.Rados(conffile=self.confs[n])
            c.connect(timeout=30)
            self._clusters[n] = c
        return self._clusters[n]

    def close(self):
        for c in self._clusters.values():
            c.shutdown()

    def image_exists(self, n, pool, image):
        import rbd
        with self._cluster(n).open_ioctx(pool) as io:
            try:
                rbd.Image(io, image, read_only=True).close()
                return True
            except rbd.ImageNotFound:
                return False

    def write(self, n, pool, image, offset, data):
        import rbd
        with self._cluster(n).open_ioctx(pool) as io:
            with rbd.Image(io, image) as img:
                img.write(data, offset)
                img.flush()

    def rbd(self, n, *args, timeout=300):
        return subprocess.run(['timeout', str(timeout), 'rbd', '--conf',
                               self.confs[n]] + list(args),
                              capture_output=True, text=True)

    def ceph(self, n, *args):
        p = subprocess.run(['timeout', '60', 'ceph', '--conf', self.confs[n],
                            '--connect-timeout', '30'] + list(args),
                           capture_output=True, text=True)
        assert p.returncode == 0, 'ceph %s: %s' % (' '.join(args), p.stderr)
        return p.stdout

    def export_sha256(self, n, pool, image):
        """sha256 of `rbd export POOL/IMAGE -` (the whole virtual disk)."""
        h = hashlib.sha256()
        p = subprocess.Popen(['timeout', '600', 'rbd', '--conf', self.confs[n],
                              '--no-progress', 'export', '%s/%s' % (pool, image),
                              '-'], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        for chunk in iter(lambda: p.stdout.read(4 * MIB), b''):
            h.update(chunk)
        err = p.stderr.read().decode()
        assert p.wait() == 0, 'rbd export %s/%s: %s' % (pool, image, err)
        return h.hexdigest()

    def images(self, n, pool):
        import rbd
        with self._cluster(n).open_ioctx(pool) as io:
            return set(rbd.RBD().list(io))


def known_data(size):
    """[(offset, bytes)] of random data with holes between, and the sha256
    of the whole SIZE-byte disk holding it (zeros elsewhere)."""
    layout = [(0, 8 * MIB), (300 * MIB + 4096, 8 * MIB),
              (size - 4 * MIB, 4 * MIB)]
    chunks = [(off, os.urandom(n)) for off, n in layout]
    h = hashlib.sha256()
    pos = 0
    zeros = bytes(4 * MIB)
    for off, data in chunks:
        while pos < off:
            n = min(len(zeros), off - pos)
            h.update(zeros[:n])
            pos += n
        h.update(data)
        pos += len(data)
    while pos < size:
        n = min(len(zeros), size - pos)
        h.update(zeros[:n])
        pos += n
    return chunks, h.hexdigest()


def fill(ceph, volume):
    """Writes known data into the volume's image; returns its sha256."""
    n, pool, image = image_of(volume)
    chunks, digest = known_data(volume.size * GIB)
    for off, data in chunks:
        ceph.write(n, pool, image, off, data)
    assert ceph.export_sha256(n, pool, image) == digest, 'data not written'
    return digest


# -- the Ferry agent ---------------------------------------------------------------

def agent_client():
    from ferry_agent_client import AgentClient
    from ferry_agent_client import ChannelSettings
    return AgentClient(ChannelSettings(
        env('FERRY_AGENT_ADDR'), cert_file=env('FERRY_TLS_CERT'),
        key_file=env('FERRY_TLS_KEY'), ca_file=env('FERRY_TLS_CA')),
        rpc_timeout=20)


def agent_jobs(volume_id):
    """The agent's jobs for a Cinder volume (by the label ferry_cinder sets)."""
    from ferry_agent_client.proto import agent_pb2
    from ferry_agent_client.proto import VOLUME_LABEL
    with agent_client() as a:
        resp = a._call('ListJobs', a._stub.ListJobs, agent_pb2.ListJobsRequest(
            labels={VOLUME_LABEL: volume_id}))
    return list(resp.jobs)
