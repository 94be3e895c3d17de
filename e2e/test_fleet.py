"""The operator's fleet commands against the lab's real APIs: `ferry check`,
`ferry migrate`, `ferry evacuate` and `ferry repair` (the agent jar's CLI,
talking to Keystone, Cinder, Nova and the agent as an operator would).

- check: verdicts and exit codes of an admissible move (0), one the volume's
  own type does not admit (6: Cinder's scheduler would answer NoValidBackend)
  and of a volume that does not exist (4); nothing starts.
- migrate: one volume to the other cluster; the same bytes, Cinder's host and
  migration status right, the old image gone.
- evacuate: a small fleet (two detached volumes and one attached to a running
  instance whose guest writes all along) out of pool a with limits on (two
  moves at once, a bandwidth budget shared by the agent's jobs); every volume
  ends on pool b, the attached one down to Nova's block-device mapping and
  the live and persistent libvirt XML, and every guest write is there.
- repair: the agent killed with SIGKILL in the middle of a move: while it is
  down, `ferry repair` refuses to guess; once it is back, the job resumes,
  the volume ends consistent (on the old or the new pool, its data intact)
  and nothing of Ferry's is left: no second image, no snapshot, no live job,
  and `ferry repair` finds nothing stuck.

Figures go to $FERRY_E2E_OUT/fleet.json (default /tmp/ferry-e2e).
"""

import json
import os
import re
import subprocess
import time

import pytest

import attached as A
import stack
from stack import BACKENDS, vattr

pytestmark = pytest.mark.skipif(
    not os.environ.get('FERRY_OS_DIR'),
    reason='needs the stack of scripts/openstack-lab.sh: run e2e/run-tests.sh')

FIGURES = {}
# Exit codes of the CLI (io.ferry.cli.ExitCodes).
OK, NOT_FOUND, FAILED_CHECK, UNAVAILABLE = 0, 4, 6, 8


@pytest.fixture(scope='module')
def workdir():
    d = os.environ.get('FERRY_E2E_OUT', '/tmp/ferry-e2e')
    os.makedirs(d, exist_ok=True)
    yield d
    with open(os.path.join(d, 'fleet.json'), 'w') as f:
        json.dump(FIGURES, f, indent=2, sort_keys=True)
    print('\nfleet figures: %s' % json.dumps(FIGURES, indent=2, sort_keys=True))


def ferry(*args, timeout=600):
    """`ferry ARGS` (the agent jar) as the operator: OS_* from the lab's env,
    the lab's agent and its operator certificate. Returns (process, seconds)."""
    jar = os.environ.get('FERRY_AGENT_JAR') or os.path.join(
        stack.env('FERRY_OS_DIR'), 'agent', 'ferry-agent.jar')
    e = dict(os.environ, FERRY_AGENT=stack.env('FERRY_AGENT_ADDR'),
             FERRY_AGENTS=stack.env('FERRY_AGENT_ADDR'),
             FERRY_CERT=stack.env('FERRY_TLS_CERT'),
             FERRY_KEY=stack.env('FERRY_TLS_KEY'), FERRY_CA=stack.env('FERRY_TLS_CA'))
    t0 = time.monotonic()
    p = subprocess.run(['java', '-jar', jar] + list(args), env=e,
                       capture_output=True, text=True, timeout=timeout)
    took = time.monotonic() - t0
    print('\n$ ferry %s -> exit %d in %.1f s\n%s%s' % (
        ' '.join(args), p.returncode, took, p.stdout, p.stderr[-2000:]))
    return p, took


def place(volumes, vids, backend):
    """Volumes of type "ferry" (any Ferry backend) moved by Cinder onto BACKEND
    where the scheduler put them elsewhere; returns them, fresh."""
    moving = []
    for vid in vids:
        v = volumes.get(vid)
        if stack.backend_of(v) != backend:
            volumes.cinder.volumes.migrate_volume(v, stack.host_of(backend), False, False)
            moving.append(vid)
    for vid in moving:
        v = stack.wait_moved(volumes, vid)
        assert vattr(v, 'migstat') == 'success', 'placing %s on %s' % (vid, backend)
    out = [volumes.get(vid) for vid in vids]
    assert [stack.backend_of(v) for v in out] == [backend] * len(out)
    return out


def create_many(volumes, n, vtype, name):
    vids = [volumes.cinder.volumes.create(1, name='%s-%d' % (name, i),
                                          volume_type=vtype).id for i in range(n)]
    volumes.ids.extend(vids)
    for vid in vids:
        volumes.wait_status(vid, 'available', 180)
    return vids


def images_of(ceph, volume_id):
    """Every image in the Ferry pools whose name holds the volume's id."""
    out = []
    for n, pool in (BACKENDS['ferry-a'], BACKENDS['ferry-b'], BACKENDS['ferry-c']):
        out += ['%s/%s' % (pool, i) for i in ceph.images(n, pool) if volume_id in i]
    return sorted(out)


def fill_mib(ceph, volume, mib):
    """MIB MiB of data at the start of the volume's image; returns the image's sha256."""
    n, pool, image = stack.image_of(volume)
    assert ceph.rbd(n, 'bench', '--io-type', 'write', '--io-size', '4M', '--io-total',
                    '%dM' % mib, '--io-pattern', 'seq',
                    '%s/%s' % (pool, image)).returncode == 0
    return ceph.export_sha256(n, pool, image)


def snapshots(ceph, n, pool, image):
    p = ceph.rbd(n, 'snap', 'ls', '--format', 'json', '%s/%s' % (pool, image))
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout or '[]')


# -- check ----------------------------------------------------------------------------------

def test_check_verdicts_and_exit_codes(volumes):
    v = volumes.create('ferry-a', name='fleet-check')
    # A retype to the other pool's type: admissible.
    p, _ = ferry('check', v.id, '--to', 'ferry-b')
    assert p.returncode == OK, p.stdout + p.stderr
    assert 'Result: PASS' in p.stdout
    # A migrate to pool b keeps type ferry-a, whose volume_backend_name pins pool a:
    # Cinder's scheduler would refuse it, so check says so and fails.
    p, _ = ferry('check', v.id, '--to', stack.host_of('ferry-b'))
    assert p.returncode == FAILED_CHECK, p.stdout + p.stderr
    assert 'Result: FAIL' in p.stdout
    fail = [line for line in p.stdout.splitlines() if line.startswith('FAIL')]
    assert fail and "type 'ferry-a'" in ' '.join(fail), p.stdout
    # `ferry migrate` runs the same checks and starts nothing.
    p, _ = ferry('migrate', v.id, '--to', stack.host_of('ferry-b'), '--poll', '1')
    assert p.returncode == FAILED_CHECK, p.stdout + p.stderr
    assert 'Not started' in p.stdout
    # A volume that does not exist.
    p, _ = ferry('check', '00000000-0000-4000-8000-000000000000', '--to', 'ferry-b')
    assert p.returncode == NOT_FOUND, p.stdout + p.stderr
    # Nothing moved, nothing started on the agent.
    v = volumes.get(v.id)
    assert (v.status, vattr(v, 'migstat'), stack.backend_of(v)) == (
        'available', None, 'ferry-a')
    assert stack.agent_jobs(v.id) == []


# -- migrate --------------------------------------------------------------------------------

def test_migrate_one_volume_to_the_other_cluster(volumes, ceph):
    (vid,) = create_many(volumes, 1, 'ferry', 'fleet-migrate')
    (v,) = place(volumes, [vid], 'ferry-a')
    digest = stack.fill(ceph, v)
    src = stack.image_of(v)
    dest = stack.host_of('ferry-c')
    p, _ = ferry('check', vid, '--to', dest)
    assert p.returncode == OK, p.stdout + p.stderr
    p, took = ferry('migrate', vid, '--to', dest, '--poll', '1')
    assert p.returncode == OK, p.stdout + p.stderr
    assert 'Done: volume %s is on %s' % (vid, dest) in p.stdout
    v = volumes.get(vid)
    assert (v.status, vattr(v, 'migstat'), vattr(v, 'host')) == (
        'available', 'success', dest)
    assert v.volume_type == 'ferry'
    assert stack.image_of(v) == BACKENDS['ferry-c'] + ('volume-%s' % vid,)
    assert ceph.export_sha256(*stack.image_of(v)) == digest
    assert not ceph.image_exists(*src), 'old image left behind'
    assert images_of(ceph, vid) == ['volumes-c/volume-%s' % vid]
    FIGURES['migrate_1gib_to_other_cluster_s'] = round(took, 1)


# -- evacuate -------------------------------------------------------------------------------

@pytest.fixture
def instance(volumes):
    """An instance booted from a ferry-b volume with a data volume of type
    "ferry" on pool a attached. Yields (cloud, server, guest, volume id, disk
    target). Deleted at the end (a guest with no OS cannot release a disk),
    then its volumes (by the volumes fixture)."""
    cloud = A.Cloud()
    (boot,) = create_many(volumes, 1, 'ferry-b', 'fleet-boot')
    cloud.cinder.volumes.set_bootable(boot, True)
    (data,) = create_many(volumes, 1, 'ferry', 'fleet-attached')
    place(volumes, [data], 'ferry-a')
    srv = guest = None
    try:
        t0 = time.monotonic()
        srv = cloud.boot_from_volume('fleet-e2e', boot)
        guest = A.Guest(getattr(cloud.nova.servers.get(srv.id),
                                'OS-EXT-SRV-ATTR:instance_name'))
        dev = cloud.attach(srv.id, data).rpartition('/')[2]
        FIGURES['boot_and_attach_s'] = round(time.monotonic() - t0, 1)
        yield cloud, srv, guest, data, dev
    finally:
        if guest is not None:
            guest.close()
        if srv is not None:
            cloud.nova.servers.delete(srv.id)
            A.wait('server deleted', lambda: srv.id not in
                   [s.id for s in cloud.nova.servers.list()], 300)
            for vid in (boot, data):
                A.wait('volume %s detached' % vid, lambda: cloud.volume(vid).status in (
                    'available', 'error'), 300)


def in_flight_peak(output):
    """Most moves under way at once, from evacuate's started/done/failed lines."""
    now = peak = 0
    for line in output.splitlines():
        if re.match(r'started: ', line):
            now += 1
            peak = max(peak, now)
        elif re.match(r'(done|failed|skipped): ', line):
            now -= 1
    return peak


def caps_of(volume_id):
    """Bandwidth caps (bytes/s) on the agent's jobs of a volume; 0 = none."""
    from ferry_agent_client.proto import job_pb2
    caps = []
    for j in stack.agent_jobs(volume_id):
        opts = j.mirror_options if j.kind == job_pb2.LIVE_MIRROR else j.copy_options
        caps.append(opts.bandwidth_bytes_per_sec)
    return caps


def test_evacuate_a_pool_with_limits(volumes, ceph, instance, workdir, tmp_path):
    cloud, srv, guest, attached, dev = instance
    detached = create_many(volumes, 2, 'ferry', 'fleet-evac')
    digests = {v.id: fill_mib(ceph, v, 192) for v in place(volumes, detached, 'ferry-a')}
    others = [v.id for v in cloud.cinder.volumes.list(search_opts={'all_tenants': 1})
              if stack.backend_of(v) == 'ferry-a' and v.id not in detached + [attached]]
    assert not others, 'pool a holds volumes of someone else: %s' % others
    old = {vid: stack.image_of(volumes.get(vid)) for vid in detached + [attached]}

    # The guest writes into its data disk before and during the whole evacuation.
    writer = A.Writer(guest, dev, A.slot_sets(A.GIB, seed=7, parts=1)[0], rate=A.MIB)
    writer.start()
    time.sleep(2)
    budget = 64 * A.MIB
    state = str(tmp_path / 'evacuate.json')
    try:
        p, took = ferry('evacuate', '--from', stack.host_of('ferry-a'),
                        '--to', stack.host_of('ferry-b'), '--max-parallel', '2',
                        '--max-per-host', '1', '--bandwidth', '64MiB/s',
                        '--assume-rate', '32MiB/s', '--assume-attached-rate', '32MiB/s',
                        '--poll', '1', '--state', state, timeout=900)
        act = cloud.wait_swap_done(srv.id)
        time.sleep(2)    # writes after the swap land on the new image too
    finally:
        writer.stop()
    records = writer.records
    assert p.returncode == OK, p.stdout + p.stderr
    assert in_flight_peak(p.stdout) <= 2, p.stdout
    with open(state) as f:
        saved = json.load(f)
    assert sorted(m['volumeId'] for m in saved['moves']) == sorted(detached + [attached])
    assert {m['state'] for m in saved['moves']} == {'DONE'}, saved

    # Detached: on pool b, the same bytes, the old image gone, nothing else of theirs.
    for vid in detached:
        v = volumes.get(vid)
        assert (v.status, vattr(v, 'migstat'), vattr(v, 'host')) == (
            'available', 'success', stack.host_of('ferry-b'))
        assert ceph.export_sha256(*stack.image_of(v)) == digests[vid]
        assert not ceph.image_exists(*old[vid])
        assert images_of(ceph, vid) == ['volumes-b/volume-%s' % vid]
    # Attached: Cinder, its attachment, Nova's mapping, both libvirt XMLs on pool b.
    assert [e['result'] for e in act.events] == ['Success'] * len(act.events), act.events
    v = volumes.get(attached)
    assert (v.status, vattr(v, 'migstat'), vattr(v, 'host')) == (
        'in-use', 'success', stack.host_of('ferry-b'))
    new_image = 'volume-%s' % vattr(v, 'name_id')
    assert vattr(v, 'name_id') not in (None, attached), 'generic migration: a new name_id'
    new_source = A.source_name('volumes-b', new_image)
    atts = cloud.attachments(attached)
    assert [a.instance for a in atts] == [srv.id]
    assert A.rbd_name_of(cloud.cinder.attachments.show(atts[0].id).connection_info) \
        == new_source
    bdm, attachment_id = A.nova_bdm(attached, with_attachment=True)
    assert A.rbd_name_of(bdm) == new_source and attachment_id == atts[0].id, bdm
    assert guest.disk(dev)[0] == new_source
    assert guest.disk(dev, persistent=True)[0] == new_source
    A.wait('old image %s/%s deleted' % old[attached][1:], lambda: not ceph.image_exists(
        *old[attached]), 120)
    path = A.rbd_export('volumes-b', new_image, workdir)
    try:
        missing = A.missing_writes(path, records)
    finally:
        os.unlink(path)
    assert missing == [], '%d of %d guest writes missing' % (len(missing), len(records))

    # The budget was shared out to the agent's jobs (64 MiB/s over the moves under way).
    caps = {vid: caps_of(vid) for vid in detached + [attached]}
    capped = [c for cs in caps.values() for c in cs if c]
    assert capped and all(c <= budget for c in capped), caps
    FIGURES['evacuate'] = dict(
        volumes=3, attached=1, seconds=round(took, 1), max_parallel=2,
        bandwidth_mib_s=64, peak_in_flight=in_flight_peak(p.stdout),
        job_caps_mib_s={k: [round(c / A.MIB, 1) for c in cs] for k, cs in caps.items()},
        guest_writes=len(records), guest_write_mib_s=round(writer.mib_per_s(), 2))


# -- repair after the agent was killed mid-move -------------------------------------------

def agent_pid():
    path = os.path.join(stack.env('FERRY_OS_DIR'), 'run', 'agent.pid')
    with open(path) as f:
        pid = int(f.read().strip())
    with open('/proc/%d/cmdline' % pid, 'rb') as f:
        assert b'ferry-agent.jar' in f.read(), 'pid %d is not the lab agent' % pid
    return pid


def set_bandwidth(job_id, rate):
    from ferry_agent_client.proto import agent_pb2
    with stack.agent_client() as a:
        a._call('SetBandwidth', a._stub.SetBandwidth, agent_pb2.SetBandwidthRequest(
            job_id=job_id, bandwidth_bytes_per_sec=rate))


def syncing_job(volume_id, capped):
    """The volume's copy job once it copied 128 MiB (capped at 32 MiB/s when seen)."""
    from ferry_agent_client.proto import job_pb2
    jobs = [j for j in stack.agent_jobs(volume_id) if j.kind != job_pb2.LIVE_MIRROR]
    if not jobs:
        return None
    job = jobs[-1]
    if not capped and job.state in (job_pb2.QUEUED, job_pb2.PREPARING, job_pb2.SYNCING):
        set_bandwidth(job.id, 32 * A.MIB)
        capped.append(job.id)
    assert job.state not in (job_pb2.COMPLETED, job_pb2.FAILED), 'ended before the kill'
    if job.state == job_pb2.SYNCING and job.progress.bytes_done >= 128 * A.MIB:
        return job
    return None


def test_repair_after_the_agent_was_killed_mid_move(volumes, ceph, workdir):
    from ferry_agent_client.proto import job_pb2
    v = volumes.create('ferry-a', name='fleet-repair')
    n, pool, image = stack.image_of(v)
    digest = fill_mib(ceph, v, 1024)
    t0 = time.monotonic()
    volumes.cinder.volumes.retype(v, 'ferry-b', 'on-demand')
    capped = []
    job = stack.wait(lambda: syncing_job(v.id, capped), 180,
                     'copy job of %s at 128 MiB' % v.id, interval=0.3)
    pid = agent_pid()
    os.kill(pid, 9)
    stack.wait(lambda: not os.path.exists('/proc/%d' % pid), 30, 'agent gone')
    killed_at = job.progress.bytes_done

    # The agent is down: repair cannot know whether a job runs, so it changes nothing.
    p, _ = ferry('repair', v.id, '--min-age', '0', '--observe', '2', '--yes')
    assert p.returncode == UNAVAILABLE, p.stdout + p.stderr
    mid = volumes.get(v.id)
    assert (mid.status, vattr(mid, 'migstat')) == ('retyping', 'migrating')
    assert ceph.image_exists(n, pool, image), 'source gone while the agent is down'

    log = os.environ.get('FERRY_AGENT_LOG')
    if log and os.path.exists(log):     # agent_start truncates it
        subprocess.run(['cp', log, os.path.join(workdir, 'agent-killed.log')])
    t1 = time.monotonic()
    stack.lab('start', 'agent')
    restart = time.monotonic() - t1
    set_bandwidth(job.id, 0)        # the rest at full speed
    v = stack.wait_moved(volumes, v.id, timeout=600)
    took = time.monotonic() - t0
    seen_end = time.time()

    p, _ = ferry('repair', v.id, '--min-age', '0', '--observe', '2', '--yes')
    assert p.returncode == OK, p.stdout + p.stderr
    assert 'Nothing to repair' in p.stdout
    v = volumes.get(v.id)
    final = [j for j in stack.agent_jobs(v.id) if j.id == job.id][0]
    live = [j.id for j in stack.agent_jobs(v.id) if j.state not in (
        job_pb2.COMPLETED, job_pb2.FAILED, job_pb2.CANCELLED)]
    assert live == [], 'live agent jobs left: %s' % live
    assert v.status == 'available'
    # cinder-volume saw the resumed job's end soon (gRPC's reconnect backoff is capped).
    lag = seen_end - final.updated.ToNanoseconds() / 1e9
    assert lag < 30, 'Cinder saw the end of job %s %.0f s late' % (job.id, lag)
    if vattr(v, 'migstat') == 'success':
        where = 'ferry-b'
        assert final.state == job_pb2.COMPLETED and final.progress.restarts >= 1, final
        assert final.copy_options.verify
    else:
        where = 'ferry-a'
        assert vattr(v, 'migstat') == 'error', vattr(v, 'migstat')
    assert vattr(v, 'host') == stack.host_of(where)
    assert v.volume_type == where
    now = stack.image_of(v)
    assert ceph.export_sha256(*now) == digest
    assert images_of(ceph, v.id) == ['%s/%s' % now[1:]], 'Ferry left images behind'
    assert snapshots(ceph, *now) == [], 'Ferry left snapshots behind'
    # Usable: checks of a move back pass (no stuck state, nothing in the way).
    p, _ = ferry('check', v.id, '--to', 'ferry-a' if where == 'ferry-b' else 'ferry-b')
    assert p.returncode == OK, p.stdout + p.stderr
    FIGURES['repair_after_kill'] = dict(
        ended_on=where, job=job.id, job_state=job_pb2.JobState.Name(final.state),
        restarts=final.progress.restarts, killed_at_mib=killed_at // A.MIB,
        agent_restart_s=round(restart, 1), move_s=round(took, 1),
        cinder_saw_the_end_after_s=round(lag, 1),
        events=['%s: %s' % (e.kind, e.message) for e in final.events][-8:])


def test_repair_after_the_agent_and_cinder_volume_died_mid_move(volumes, ceph):
    """A host crash in the middle of a move: the agent killed with SIGKILL and
    cinder-volume restarted while it waited for the copy. Cinder forgets the
    move (status retyping for ever); the restarted agent resumes and completes
    a copy nobody takes. `ferry repair` finds the volume stuck, names that
    copy, and with --yes makes the volume consistent on its old pool; once the
    copy is removed as it advises, nothing of Ferry's is left and the volume
    moves again."""
    from ferry_agent_client.proto import job_pb2
    v = volumes.create('ferry-a', name='fleet-crash')
    n, pool, image = stack.image_of(v)
    digest = fill_mib(ceph, v, 1024)
    volumes.cinder.volumes.retype(v, 'ferry-b', 'on-demand')
    capped = []
    job = stack.wait(lambda: syncing_job(v.id, capped), 180,
                     'copy job of %s at 128 MiB' % v.id, interval=0.3)
    pid = agent_pid()
    os.kill(pid, 9)
    stack.wait(lambda: not os.path.exists('/proc/%d' % pid), 30, 'agent gone')
    stack.lab('stop', 'cinder')
    stack.lab('start', 'agent')
    set_bandwidth(job.id, 0)
    stack.wait(lambda: [j for j in stack.agent_jobs(v.id) if j.id == job.id and
                        j.state == job_pb2.COMPLETED], 180, 'job %s completed' % job.id)
    stack.lab('start', 'cinder')
    mid = volumes.get(v.id)
    assert (mid.status, vattr(mid, 'migstat')) == ('retyping', 'migrating')
    copy = BACKENDS['ferry-b'] + (image,)
    assert ceph.image_exists(*copy), 'the resumed job committed its copy'

    p, _ = ferry('repair', v.id, '--min-age', '0', '--observe', '2')
    assert p.returncode == FAILED_CHECK, p.stdout + p.stderr
    assert 'STUCK %s' % v.id in p.stdout
    assert 'lab1/volumes-b/%s (Ferry job %s)' % (image, job.id) in p.stdout, p.stdout
    p, _ = ferry('repair', v.id, '--min-age', '0', '--observe', '2', '--yes')
    assert p.returncode == OK, p.stdout + p.stderr
    v = volumes.get(v.id)
    assert (v.status, vattr(v, 'migstat'), vattr(v, 'host'), v.volume_type) == (
        'available', 'error', stack.host_of('ferry-a'), 'ferry-a')
    assert ceph.export_sha256(n, pool, image) == digest
    assert ceph.image_exists(*copy), 'repair deletes nothing'

    # The operator removes the copy as advised: then nothing of Ferry's is left ...
    assert ceph.rbd(copy[0], 'rm', '--no-progress', '%s/%s' % copy[1:]).returncode == 0
    assert images_of(ceph, v.id) == ['%s/%s' % (pool, image)]
    assert snapshots(ceph, n, pool, image) == [], 'Ferry left snapshots on the source'
    assert [j.id for j in stack.agent_jobs(v.id) if j.state not in (
        job_pb2.COMPLETED, job_pb2.FAILED, job_pb2.CANCELLED)] == []
    # ... and the volume moves again.
    volumes.cinder.volumes.retype(v, 'ferry-b', 'on-demand')
    v = stack.wait_moved(volumes, v.id, timeout=300)
    assert (vattr(v, 'migstat'), vattr(v, 'host')) == ('success', stack.host_of('ferry-b'))
    assert ceph.export_sha256(*stack.image_of(v)) == digest
    FIGURES['repair_after_host_crash'] = dict(job=job.id, repaired_to='ferry-a',
                                              moved_again=True)
