"""Lab services for the FERRY_LAB=1 integration tests: a Ceph cluster from
scripts/ceph-lab.sh and a private libvirtd from scripts/libvirt-lab.sh, each
in a test's temporary directory and stopped/purged afterwards."""

import contextlib
import os
import subprocess

import pytest

from real_agent import REPO

CEPH_LAB = os.path.join(REPO, 'scripts', 'ceph-lab.sh')
LIBVIRT_LAB = os.path.join(REPO, 'scripts', 'libvirt-lab.sh')

requires_lab = pytest.mark.skipif(
    os.environ.get('FERRY_LAB') != '1',
    reason='lab integration test: set FERRY_LAB=1 (starts Ceph, an agent, '
           'and for Nova libvirtd)')


def run(*cmd, env=None, check=True, timeout=240):
    return subprocess.run(list(cmd), env=env, check=check, timeout=timeout,
                          capture_output=True, text=True)


class Ceph:
    def __init__(self, name, lab_dir, env):
        self.name, self.dir, self.env = name, lab_dir, env
        exports = dict(line[len('export '):].split('=', 1) for line in
                       run(CEPH_LAB, 'env', self.name, env=env).stdout
                       .splitlines() if line.startswith('export '))
        self.conf = exports['CEPH_CONF']
        self.mon_port = exports['FERRY_CEPH_MON_PORT']
        self.env = dict(env, CEPH_CONF=self.conf)

    def rbd(self, *args, check=True):
        return run('timeout', '120', 'rbd', '--conf', self.conf, *args,
                   env=self.env, check=check)

    def fsid(self):
        return run('timeout', '60', 'ceph', '--conf', self.conf, 'fsid',
                   env=self.env).stdout.strip()


@contextlib.contextmanager
def ceph_cluster(lab_dir, tag='a', pools='volumes-a volumes-b'):
    name = 'shim-%s-%d' % (tag, os.getpid())
    env = dict(os.environ, FERRY_LAB_DIR=str(lab_dir))
    run(CEPH_LAB, 'start', name, '--pools', pools, '--osd-size', '4G',
        env=env)
    try:
        yield Ceph(name, str(lab_dir), env)
    finally:
        run(CEPH_LAB, 'purge', name, env=env, check=False)


@contextlib.contextmanager
def libvirtd(lab_dir):
    """Yields (DIR, URI) of a private libvirtd."""
    out = run(LIBVIRT_LAB, 'start', str(lab_dir)).stdout
    try:
        yield str(lab_dir), out.strip().splitlines()[-1]
    finally:
        run(LIBVIRT_LAB, 'stop', str(lab_dir), check=False)
