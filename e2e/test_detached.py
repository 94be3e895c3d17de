"""Detached volumes moved by Cinder through ferry_cinder and the Ferry agent.

`cinder migrate` and `cinder retype --migration-policy on-demand` of an
available volume, to the other pool of its Ceph cluster and to the other
cluster. Each move must leave: the same bytes (sha256 of `rbd export`),
Cinder's host on the destination backend, migration_status 'success', the
image where name_id says, the agent's job COMPLETED with verification, and
the source image present at every moment before that job completed (then
gone). Failure paths: the agent stopped before a move, a destination pool
over its quota: Cinder reports the failure and the volume stays usable where
it was, with its data.
"""

import os
import time

import pytest

import stack
from stack import BACKENDS, vattr

pytestmark = pytest.mark.skipif(
    not os.environ.get('FERRY_OS_DIR'),
    reason='needs the stack of scripts/openstack-lab.sh: run e2e/run-tests.sh')


class Observer:
    """Polls where the data is while a move runs."""

    def __init__(self, ceph, src, dst):
        self.ceph, self.src, self.dst = ceph, src, dst
        self.seen = []          # (time, migstat, source there, dest there)

    def __call__(self, volume):
        self.seen.append((time.time(), vattr(volume, 'migstat'),
                          self.ceph.image_exists(*self.src),
                          self.ceph.image_exists(*self.dst)))


def completed_job(volume_id):
    from ferry_agent_client.proto import job_pb2
    jobs = stack.agent_jobs(volume_id)
    done = [j for j in jobs if j.state == job_pb2.COMPLETED]
    assert done, 'no COMPLETED agent job for %s: %s' % (volume_id, jobs)
    return done[-1]


def volume_on(volumes, ceph, backend, volume_type):
    """A new 1 GiB volume of VOLUME_TYPE on BACKEND, filled with known data."""
    v = volumes.create(volume_type)
    if stack.backend_of(v) != backend:
        # Type "ferry" lets the scheduler choose among the Ferry backends.
        volumes.cinder.volumes.migrate_volume(v, stack.host_of(backend),
                                              False, False)
        v = stack.wait_moved(volumes, v.id)
        assert vattr(v, 'migstat') == 'success', 'placing on ' + backend
    assert stack.backend_of(v) == backend
    return v, stack.fill(ceph, v)


def move(volumes, v, how, dest):
    if how == 'migrate':
        volumes.cinder.volumes.migrate_volume(v, stack.host_of(dest), False,
                                              False)
    else:
        volumes.cinder.volumes.retype(v, dest, 'on-demand')


MOVES = [('migrate', 'ferry-b'), ('migrate', 'ferry-c'),
         ('retype', 'ferry-b'), ('retype', 'ferry-c')]


@pytest.mark.parametrize('how,dest', MOVES,
                         ids=['%s-%s' % m for m in MOVES])
def test_detached_volume_moves(volumes, ceph, how, dest):
    vtype = 'ferry' if how == 'migrate' else 'ferry-a'
    v, digest = volume_on(volumes, ceph, 'ferry-a', vtype)
    src = stack.image_of(v)
    dst = BACKENDS[dest] + ('volume-%s' % v.id,)
    assert not ceph.image_exists(*dst)
    watch = Observer(ceph, src, dst)
    t0 = time.monotonic()
    move(volumes, v, how, dest)
    v = stack.wait_moved(volumes, v.id, on_poll=watch)
    took = time.monotonic() - t0

    assert vattr(v, 'migstat') == 'success', stack.agent_jobs(v.id)
    assert v.status == 'available'
    assert vattr(v, 'host') == stack.host_of(dest)
    assert v.volume_type == (vtype if how == 'migrate' else dest)
    # ferry_cinder keeps the image name: no name_id, image volume-<id>.
    assert vattr(v, 'name_id') in (None, v.id)
    assert stack.image_of(v) == dst
    assert ceph.export_sha256(*dst) == digest
    assert not ceph.image_exists(*src), 'source image left behind'

    job = completed_job(v.id)
    assert job.copy_options.verify
    assert (job.destination.rbd.pool, job.destination.rbd.image) == dst[1:]
    done_at = job.updated.seconds + job.updated.nanos / 1e9
    early = [s for s in watch.seen if s[0] < done_at - 0.5 and not s[2]]
    assert not early, 'source gone before the job completed: %s' % early
    assert all(s[2] or s[3] for s in watch.seen), \
        'data in neither image at some moment: %s' % watch.seen
    print('\n%s to %s: %.1f s, %d observations, source seen during the move '
          '%d times' % (how, dest, took, len(watch.seen),
                        sum(1 for s in watch.seen if s[2])))


def assert_unchanged(volumes, ceph, v, digest, vtype):
    v = volumes.get(v.id)
    assert v.status == 'available'
    assert vattr(v, 'migstat') == 'error'
    assert vattr(v, 'host') == stack.host_of('ferry-a')
    assert v.volume_type == vtype
    assert ceph.export_sha256(*stack.image_of(v)) == digest
    return v


def cinder_volume_log_says(volume_id, *words):
    with open(os.environ['CINDER_VOLUME_LOG'], errors='replace') as f:
        lines = [line for line in f if volume_id in line]
    return [line for line in lines if all(w in line for w in words)]


def test_agent_stopped_before_a_move(volumes, ceph):
    v, digest = volume_on(volumes, ceph, 'ferry-a', 'ferry-a')
    dst = BACKENDS['ferry-b'] + ('volume-%s' % v.id,)
    stack.lab('stop', 'agent')
    try:
        volumes.cinder.volumes.retype(v, 'ferry-b', 'on-demand')
        v = stack.wait_moved(volumes, v.id, timeout=300)
        v = assert_unchanged(volumes, ceph, v, digest, 'ferry-a')
        assert not ceph.image_exists(*dst)
        said = cinder_volume_log_says(v.id, 'Ferry could not copy volume',
                                      'source is untouched')
        assert said, 'no clear error in $CINDER_VOLUME_LOG'
        print('\ncinder-volume: ' + said[-1].strip()[:400])
    finally:
        stack.lab('start', 'agent')
    # Usable: the same retype works once the agent is back.
    volumes.cinder.volumes.retype(v, 'ferry-b', 'on-demand')
    v = stack.wait_moved(volumes, v.id)
    assert vattr(v, 'migstat') == 'success'
    assert ceph.export_sha256(*stack.image_of(v)) == digest


def pool_full(ceph, n, pool):
    return 'POOL_FULL' in ceph.ceph(n, 'health', 'detail') and \
        pool in ceph.ceph(n, 'health', 'detail')


@pytest.fixture
def full_pool(ceph):
    """volumes-b over its quota: 16 MiB written, quota 4 MiB."""
    n, pool = BACKENDS['ferry-b']
    filler = pool + '/e2e-filler'
    assert ceph.rbd(n, 'create', '--size', '64M', filler).returncode == 0
    assert ceph.rbd(n, 'bench', '--io-type', 'write', '--io-size', '4M',
                    '--io-total', '16M', filler).returncode == 0
    ceph.ceph(n, 'osd', 'pool', 'set-quota', pool, 'max_bytes', str(4 << 20))
    try:
        stack.wait(lambda: pool_full(ceph, n, pool), 120,
                   'pool %s reported full (POOL_FULL)' % pool, interval=2)
        yield n, pool
    finally:
        ceph.ceph(n, 'osd', 'pool', 'set-quota', pool, 'max_bytes', '0')
        stack.wait(lambda: not pool_full(ceph, n, pool), 120,
                   'pool %s no longer full' % pool, interval=2)
        ceph.rbd(n, 'rm', '--no-progress', filler)


def test_destination_pool_full(volumes, ceph, full_pool):
    v, digest = volume_on(volumes, ceph, 'ferry-a', 'ferry-a')
    dst = BACKENDS['ferry-b'] + ('volume-%s' % v.id,)
    t0 = time.monotonic()
    volumes.cinder.volumes.retype(v, 'ferry-b', 'on-demand')
    v = stack.wait_moved(volumes, v.id, timeout=300)
    assert_unchanged(volumes, ceph, v, digest, 'ferry-a')
    said = cinder_volume_log_says(v.id, 'Ferry could not copy volume',
                                  'quota')
    assert said, 'no clear error naming the quota in $CINDER_VOLUME_LOG'
    print('\nfailed after %.1f s; cinder-volume: %s' % (
        time.monotonic() - t0, said[-1].strip()[:400]))
    # What the failed job had made in the full pool is gone (only the filler is left).
    left = [i for i in ceph.images(*full_pool) if v.id in i]
    assert not left, 'left in %s: %s' % (full_pool[1], left)
