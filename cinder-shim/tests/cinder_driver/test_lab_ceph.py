"""The real FerryRBDDriver against a lab Ceph cluster and a real agent.

Integration test, run when FERRY_LAB=1: a single-node cluster from
scripts/ceph-lab.sh (pools volumes-a and volumes-b), a real agent configured
with that cluster, and the real rados/rbd modules: a detached volume moves
from volumes-a to volumes-b; the destination must hold the source's data and
the source image must be gone. Everything is stopped and purged afterwards.
"""

import hashlib
import os
import uuid

import pytest

from cinder import exception

from cinder_helpers import backend_config
from cinder_helpers import rbd_host
from cinder_helpers import stock_location
from cinder_helpers import volume
from ferry_cinder.driver import FerryRBDDriver
from labs import ceph_cluster
from labs import requires_lab
from real_agent import agent_jar
from real_agent import RealAgent

pytestmark = requires_lab

SIZE = 48 * 1024 * 1024 + 12288


@pytest.fixture(scope='module')
def ceph(tmp_path_factory):
    agent_jar()
    with ceph_cluster(tmp_path_factory.mktemp('ceph')) as cluster:
        yield cluster


@pytest.fixture(scope='module')
def real(ceph, tmp_path_factory):
    agent = RealAgent(tmp_path_factory.mktemp('agent'), extra_yaml=(
        'clusters:\n  lab:\n    ceph_conf: %s\n    client_id: admin\n'
        % ceph.conf))
    yield agent
    agent.stop()


def sha(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def test_detached_volume_moves_to_the_other_pool(ceph, real, tmp_path, ctx):
    vid = str(uuid.uuid4())
    name = 'volume-%s' % vid
    data = tmp_path / 'data.raw'
    with open(data, 'wb') as f:
        f.write(os.urandom(8 << 20))
        f.seek(32 << 20)
        f.write(os.urandom(SIZE - (32 << 20)))
    ceph.rbd('import', str(data), 'volumes-a/%s' % name)

    drv = FerryRBDDriver(configuration=backend_config(
        rbd_pool='volumes-a', rbd_ceph_conf=ceph.conf, rbd_user='admin',
        ferry_agent_address=real.address, ferry_cluster_id='lab',
        ferry_poll_interval=0.2, ferry_migration_timeout=600))
    drv.do_setup(ctx)           # as cinder-volume does: reads the cluster
    drv.set_initialized()
    vol = volume(ctx, id=vid, size=1)
    try:
        result = drv.migrate_volume(
            ctx, vol, rbd_host(stock_location(ceph.fsid(), 'volumes-b')))
    except exception.VolumeMigrationFailed as e:
        if 'not supported by this agent' in str(e):
            pytest.skip('this agent build has no RBD endpoints yet: %s' % e)
        raise
    assert result == (True, None)

    out = tmp_path / 'out.raw'
    ceph.rbd('export', 'volumes-b/%s' % name, str(out))
    assert sha(out) == sha(data)
    gone = ceph.rbd('info', 'volumes-a/%s' % name, check=False)
    assert gone.returncode != 0          # source deleted after the commit
