"""The real FerryRBDDriver against lab Ceph clusters and a real agent.

Integration tests, run when FERRY_LAB=1: two single-node clusters from
scripts/ceph-lab.sh, a real agent configured with both, and the real
rados/rbd modules. A detached volume moves to the other pool of its cluster,
and to a pool of the other cluster; each time the destination must hold the
source's data and the source image must be gone. Everything is stopped and
purged afterwards.
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
from ferry_cinder import location
from ferry_cinder.driver import FerryRBDDriver
from labs import ceph_cluster
from labs import requires_lab
from real_agent import agent_jar
from real_agent import RealAgent

pytestmark = requires_lab

SIZE = 48 * 1024 * 1024 + 12288


@pytest.fixture(scope='module')
def ceph_a(tmp_path_factory):
    agent_jar()
    with ceph_cluster(tmp_path_factory.mktemp('ceph-a'), 'a') as cluster:
        yield cluster


@pytest.fixture(scope='module')
def ceph_b(tmp_path_factory):
    agent_jar()
    with ceph_cluster(tmp_path_factory.mktemp('ceph-b'), 'b',
                      pools='volumes') as cluster:
        yield cluster


@pytest.fixture(scope='module')
def real(ceph_a, ceph_b, tmp_path_factory):
    agent = RealAgent(tmp_path_factory.mktemp('agent'), extra_yaml=(
        'clusters:\n'
        '  lab-a:\n    ceph_conf: %s\n    client_id: admin\n'
        '  lab-b:\n    ceph_conf: %s\n    client_id: admin\n'
        % (ceph_a.conf, ceph_b.conf)))
    yield agent
    agent.stop()


def sha(path):
    return hashlib.sha256(open(path, 'rb').read()).hexdigest()


def source_volume(ceph, tmp_path, ctx):
    vid = str(uuid.uuid4())
    data = tmp_path / 'data.raw'
    with open(data, 'wb') as f:
        f.write(os.urandom(8 << 20))
        f.seek(32 << 20)
        f.write(os.urandom(SIZE - (32 << 20)))
    ceph.rbd('import', str(data), 'volumes-a/volume-%s' % vid)
    return volume(ctx, id=vid, size=1), data


def driver(ceph, agent, ctx):
    drv = FerryRBDDriver(configuration=backend_config(
        rbd_pool='volumes-a', rbd_ceph_conf=ceph.conf, rbd_user='admin',
        ferry_agent_address=agent.address, ferry_cluster_id='lab-a',
        ferry_poll_interval=0.2, ferry_migration_timeout=600))
    drv.do_setup(ctx)           # as cinder-volume does: reads the cluster
    drv.set_initialized()
    return drv


def migrate(drv, ctx, vol, host):
    try:
        return drv.migrate_volume(ctx, vol, host)
    except exception.VolumeMigrationFailed as e:
        if 'not supported by this agent' in str(e):
            pytest.skip('this agent build has no RBD endpoints yet: %s' % e)
        raise


def assert_moved(src, dst, pool, vol, data, tmp_path):
    out = tmp_path / 'out.raw'
    dst.rbd('export', '%s/%s' % (pool, vol.name), str(out))
    assert sha(out) == sha(data)
    gone = src.rbd('info', 'volumes-a/%s' % vol.name, check=False)
    assert gone.returncode != 0          # source deleted after the commit


def test_detached_volume_moves_to_the_other_pool(ceph_a, real, tmp_path,
                                                 ctx):
    vol, data = source_volume(ceph_a, tmp_path, ctx)
    drv = driver(ceph_a, real, ctx)
    host = rbd_host(stock_location(ceph_a.fsid(), 'volumes-b'))
    assert migrate(drv, ctx, vol, host) == (True, None)
    assert_moved(ceph_a, ceph_a, 'volumes-b', vol, data, tmp_path)


def test_detached_volume_moves_to_another_cluster(ceph_a, ceph_b, real,
                                                  tmp_path, ctx):
    vol, data = source_volume(ceph_a, tmp_path, ctx)
    drv = driver(ceph_a, real, ctx)
    # The destination backend runs FerryRBDDriver too: its location_info
    # names its cluster id.
    host = rbd_host(location.extend(
        stock_location(ceph_b.fsid(), 'volumes'), 'lab-b'))
    assert migrate(drv, ctx, vol, host) == (True, None)
    assert_moved(ceph_a, ceph_b, 'volumes', vol, data, tmp_path)
