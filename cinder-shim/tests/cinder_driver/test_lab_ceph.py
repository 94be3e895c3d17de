"""The real FerryRBDDriver against a lab Ceph cluster and a real agent.

Integration test, run when FERRY_LAB=1: starts a single-node cluster with
scripts/ceph-lab.sh (pools volumes-a and volumes-b), a real agent configured
with that cluster, and migrates a detached volume from volumes-a to
volumes-b with the real rados/rbd modules: the destination must equal the
source data and the source image must be gone. Everything is stopped and
purged afterwards.
"""

import hashlib
import os
import subprocess
import uuid

import pytest

from cinder import exception

from cinder_helpers import backend_config
from cinder_helpers import rbd_host
from cinder_helpers import stock_location
from cinder_helpers import volume
from ferry_cinder.driver import FerryRBDDriver
from real_agent import agent_jar
from real_agent import REPO
from real_agent import RealAgent

pytestmark = pytest.mark.skipif(
    os.environ.get('FERRY_LAB') != '1',
    reason='lab integration test: set FERRY_LAB=1 (starts Ceph and an agent)')

LAB = os.path.join(REPO, 'scripts', 'ceph-lab.sh')
SIZE = 48 * 1024 * 1024 + 12288


def run(*cmd, env=None, check=True):
    return subprocess.run(list(cmd), env=env, check=check, timeout=180,
                          capture_output=True, text=True)


@pytest.fixture(scope='module')
def ceph(tmp_path_factory):
    agent_jar()
    name = 'shim-%d' % os.getpid()
    lab_dir = str(tmp_path_factory.mktemp('ceph'))
    env = dict(os.environ, FERRY_LAB_DIR=lab_dir)
    run(LAB, 'start', name, '--pools', 'volumes-a volumes-b', '--osd-size',
        '4G', env=env)
    try:
        exports = run(LAB, 'env', name, env=env).stdout
        conf = [line.split('=', 1)[1] for line in exports.splitlines()
                if line.startswith('export CEPH_CONF=')][0]
        yield {'conf': conf, 'env': dict(env, CEPH_CONF=conf)}
    finally:
        run(LAB, 'purge', name, env=env, check=False)


@pytest.fixture(scope='module')
def real(ceph, tmp_path_factory):
    agent = RealAgent(tmp_path_factory.mktemp('agent'), extra_yaml=(
        'clusters:\n  lab:\n    ceph_conf: %s\n    client_id: admin\n'
        % ceph['conf']))
    yield agent
    agent.stop()


def rbd(ceph, *args):
    return run('timeout', '120', 'rbd', '--conf', ceph['conf'], *args,
               env=ceph['env'])


def test_detached_volume_moves_to_the_other_pool(ceph, real, tmp_path, ctx):
    vid = str(uuid.uuid4())
    name = 'volume-%s' % vid
    data = tmp_path / 'data.raw'
    with open(data, 'wb') as f:
        f.write(os.urandom(8 << 20))
        f.seek(32 << 20)
        f.write(os.urandom(SIZE - (32 << 20)))
    rbd(ceph, 'import', str(data), 'volumes-a/%s' % name)
    fsid = run('timeout', '60', 'ceph', '--conf', ceph['conf'], 'fsid',
               env=ceph['env']).stdout.strip()

    drv = FerryRBDDriver(configuration=backend_config(
        rbd_pool='volumes-a', rbd_ceph_conf=ceph['conf'], rbd_user='admin',
        ferry_agent_address=real.address, ferry_cluster_id='lab',
        ferry_poll_interval=0.2, ferry_migration_timeout=600))
    drv.do_setup(ctx)           # as cinder-volume does: reads the cluster
    drv.set_initialized()
    vol = volume(ctx, id=vid, size=1)
    try:
        result = drv.migrate_volume(
            ctx, vol, rbd_host(stock_location(fsid, 'volumes-b')))
    except exception.VolumeMigrationFailed as e:
        if 'not supported by this agent' in str(e):
            pytest.skip('this agent build has no RBD endpoints yet: %s' % e)
        raise
    assert result == (True, None)

    out = tmp_path / 'out.raw'
    rbd(ceph, 'export', 'volumes-b/%s' % name, str(out))
    assert hashlib.sha256(out.read_bytes()).hexdigest() == \
        hashlib.sha256(data.read_bytes()).hexdigest()
    gone = run('timeout', '60', 'rbd', '--conf', ceph['conf'], 'info',
               'volumes-a/%s' % name, env=ceph['env'], check=False)
    assert gone.returncode != 0          # source deleted after the commit
