"""Detached volumes moved by Cinder through ferry_cinder and the Ferry agent.

`cinder migrate` and `cinder retype --migration-policy on-demand` of an
available volume, to the other pool of its Ceph cluster and to the other
cluster. Each move must leave: the same bytes (sha256 of `rbd export`),
Cinder's host on the destination backend, migration_status 'success', the
image where name_id says, the agent's job COMPLETED with verification, and
the source image present at every moment before that job completed (then
gone). Failure paths: the agent stopped before a move, a destination pool
over its quota, and one that fills up during the move: Cinder reports the
failure and the volume stays usable where it was, with its data.
"""

import json
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


def volume_on(volumes, ceph, backend, volume_type, size=1):
    """A new volume (SIZE GiB) of VOLUME_TYPE on BACKEND, filled with known data."""
    v = volumes.create(volume_type, size=size)
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


# The pools are filled through object quotas (max_objects), not byte quotas: the
# stock RBD driver reports a byte quota as the pool's free capacity, and once
# cinder-volume's periodic stats carry it, Cinder's scheduler refuses the retype
# ("No valid backend") before Ferry sees it; the volume goes back to available
# with no migration_status. Whether it did depended on when the backend last
# reported, which made the pool-full test time out now and then. The OSDs refuse
# writes to a pool over either quota the same way (EDQUOT).

def set_object_quota(ceph, n, pool, objects):
    ceph.ceph(n, 'osd', 'pool', 'set-quota', pool, 'max_objects', str(objects))


def lift_object_quota(ceph, n, pool):
    set_object_quota(ceph, n, pool, 0)
    stack.wait(lambda: not pool_full(ceph, n, pool), 120,
               'pool %s no longer full' % pool, interval=2)


@pytest.fixture
def full_pool(ceph):
    """volumes-b over its quota: 16 MiB written, quota 1 object."""
    n, pool = BACKENDS['ferry-b']
    filler = pool + '/e2e-filler'
    assert ceph.rbd(n, 'create', '--size', '64M', filler).returncode == 0
    assert ceph.rbd(n, 'bench', '--io-type', 'write', '--io-size', '4M',
                    '--io-total', '16M', filler).returncode == 0
    set_object_quota(ceph, n, pool, 1)
    try:
        stack.wait(lambda: pool_full(ceph, n, pool), 120,
                   'pool %s reported full (POOL_FULL)' % pool, interval=2)
        yield n, pool
    finally:
        lift_object_quota(ceph, n, pool)
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
    assert failed_job(v.id).error.code == 'RESOURCE_EXHAUSTED'
    # What the failed job had made in the full pool is gone (only the filler is left).
    left = [i for i in ceph.images(*full_pool) if v.id in i]
    assert not left, 'left in %s: %s' % (full_pool[1], left)


def failed_job(volume_id):
    """The agent's FAILED job for the volume (the last one)."""
    from ferry_agent_client.proto import job_pb2
    jobs = stack.agent_jobs(volume_id)
    failed = [j for j in jobs if j.state == job_pb2.FAILED]
    assert failed, 'no FAILED agent job for %s: %s' % (volume_id, jobs)
    return failed[-1]


class CapWhenStarted:
    """on_poll of wait_moved: caps the volume's agent job at RATE bytes/s as
    soon as it shows (as an operator would with `ferry bandwidth`), so that
    the copy still runs when the monitors flag the pool full: Ceph enforces
    quotas from statistics that lag by several seconds."""

    def __init__(self, volume_id, rate):
        self.volume_id, self.rate, self.said = volume_id, rate, 'not yet'

    def __call__(self, volume):
        if self.said != 'not yet':
            return
        jobs = stack.agent_jobs(self.volume_id)
        if not jobs:
            return
        from ferry_agent_client import errors
        from ferry_agent_client.proto import agent_pb2
        request = agent_pb2.SetBandwidthRequest(
            job_id=jobs[-1].id, bandwidth_bytes_per_sec=self.rate)
        try:
            with stack.agent_client() as a:
                a._call('SetBandwidth', a._stub.SetBandwidth, request)
            self.said = 'at %d MiB/s' % (self.rate // stack.MIB)
        except errors.AgentError as e:  # e.g. the job has ended already
            self.said = 'refused: %s' % e


def pool_objects(ceph, n, pool):
    """Objects in POOL, as its quota counts them."""
    df = json.loads(ceph.ceph(n, 'df', '--format', 'json'))
    return [p for p in df['pools'] if p['name'] == pool][0]['stats']['objects']


@pytest.fixture
def filling_pool(ceph):
    """volumes-b with room for 8 more objects (32 MiB of 4 MiB RBD objects)."""
    n, pool = BACKENDS['ferry-b']
    set_object_quota(ceph, n, pool, pool_objects(ceph, n, pool) + 8)
    try:
        yield n, pool
    finally:
        lift_object_quota(ceph, n, pool)


def test_destination_pool_fills_up_during_a_move(volumes, ceph, filling_pool):
    """1 GiB of data into a pool with 8 objects left: the pool fills up while
    the agent copies (or, if the monitors flag it late, at the commit's
    rename); the move fails with the quota named, nothing is left there and
    the source keeps its data."""
    v, _ = volume_on(volumes, ceph, 'ferry-a', 'ferry-a', size=2)
    n, pool, image = stack.image_of(v)
    assert ceph.rbd(n, 'bench', '--io-type', 'write', '--io-size', '4M',
                    '--io-total', '1G', '--io-pattern', 'seq',
                    '%s/%s' % (pool, image)).returncode == 0
    digest = ceph.export_sha256(n, pool, image)
    t0 = time.monotonic()
    volumes.cinder.volumes.retype(v, 'ferry-b', 'on-demand')
    cap = CapWhenStarted(v.id, 16 * stack.MIB)
    v = stack.wait_moved(volumes, v.id, timeout=300, on_poll=cap)
    took = time.monotonic() - t0
    assert_unchanged(volumes, ceph, v, digest, 'ferry-a')
    job = failed_job(v.id)
    print('\nfailed after %.1f s (capped: %s); agent job: %s: %s' % (
        took, cap.said, job.error.code, job.error.message[:400]))
    assert job.error.code == 'RESOURCE_EXHAUSTED'
    assert 'over its quota' in job.error.message
    assert 'cleaning up failed' not in job.error.message
    said = cinder_volume_log_says(v.id, 'Ferry could not copy volume', 'quota')
    assert said, 'no clear error naming the quota in $CINDER_VOLUME_LOG'
    left = [i for i in ceph.images(*filling_pool) if v.id in i]
    assert not left, 'left in %s: %s' % (filling_pool[1], left)
    assert took < 180, 'the failed move took %.0f s' % took
