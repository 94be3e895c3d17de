"""Attached volumes on the lab OpenStack: `cinder retype --migration-policy
on-demand` of an in-use volume goes Cinder generic migration -> Nova
swap-volume -> ferry_nova -> the agent's live mirror with pivot, while the
guest's QEMU keeps writing. Every record is checked afterwards: Cinder's
volume and attachment, Nova's block-device mapping (its database), the live
and the persistent libvirt XML, and every recorded write on the new image.

The guest has no OS (it sits in its firmware): writes are injected into the
disk through its QEMU with the HMP command qemu-io, which goes through the
same block layer as a guest's own writes, mirror included.

Cinder reports a migration's success (migrate_volume_completion, called by
Nova's swap_volume) before Nova saves the new block-device mapping: for a
fraction of a second Cinder says success and Nova's mapping still names the
old image (seen with RaceWatch: 0.04-0.28 s, and by a test reading Nova's
mapping right after Cinder's API said success). The checks therefore read
Nova's records only once its swap_volume instance action has ended.

The fast-writer cases make the destination slower than the guest (librbd's
write-IOPS QoS on pool b, the same for Ferry's and Nova's copy): stock Nova's
copy does not converge while the guest writes; Ferry's policy converges.

Figures (times, write rates, convergence steps) go to
$FERRY_E2E_OUT/attached.json (default /tmp/ferry-e2e) and to the test log.
"""

import json
import os
import subprocess
import threading
import time

import pytest

import attached as A

POOL_A, POOL_B, POOL_C = 'volumes-a', 'volumes-b', 'volumes-c'
DISK = 1 * A.GIB
FIGURES = {}
# How long the stock copy may try under the fast writer before the writer is
# stopped (then it converges, and the test can end).
STOCK_BUDGET = int(os.environ.get('FERRY_E2E_STOCK_BUDGET', '60'))
# Writes a second librbd lets into each image of the destination pool in the fast-writer
# cases (see slow_destination).
DEST_IOPS = int(os.environ.get('FERRY_E2E_DEST_IOPS', '32'))


@pytest.fixture(scope='module')
def workdir():
    d = os.environ.get('FERRY_E2E_OUT', '/tmp/ferry-e2e')
    os.makedirs(d, exist_ok=True)
    yield d
    with open(os.path.join(d, 'attached.json'), 'w') as f:
        json.dump(FIGURES, f, indent=2, sort_keys=True)
    print('\nattached figures: %s' % json.dumps(FIGURES, indent=2, sort_keys=True))


@pytest.fixture(scope='module')
def cloud():
    return A.Cloud()


@pytest.fixture
def instance(cloud, request):
    """An instance booted from a ferry-a volume (no network, no OS) with a
    1 GiB ferry-a data volume full of data (one byte value) attached.
    Yields (server, guest, data volume, its disk target). A guest without an
    OS cannot release a hot-plugged disk, so nothing is detached: the
    instance is deleted, then its volumes."""
    name = 'e2e-' + request.node.name[5:35]
    boot = cloud.create_volume(name + '-boot', 'ferry-a')
    cloud.cinder.volumes.set_bootable(boot, True)
    vol = cloud.create_volume(name + '-data', 'ferry-a')
    A.rbd_fill(POOL_A, 'volume-%s' % vol.id, DISK)
    srv = guest = None
    try:
        t0 = time.monotonic()
        srv = cloud.boot_from_volume(name, boot.id)
        FIGURES.setdefault('boot_from_volume_s', []).append(round(time.monotonic() - t0, 1))
        srv = cloud.nova.servers.get(srv.id)
        guest = A.Guest(getattr(srv, 'OS-EXT-SRV-ATTR:instance_name'))
        t0 = time.monotonic()
        device = cloud.attach(srv.id, vol.id)
        FIGURES.setdefault('attach_s', []).append(round(time.monotonic() - t0, 1))
        yield srv, guest, vol, device.rpartition('/')[2]
    finally:
        if guest is not None:
            guest.close()
        if srv is not None:
            cloud.nova.servers.delete(srv.id)
            A.wait('server deleted', lambda: srv.id not in
                   [s.id for s in cloud.nova.servers.list()], 300)
        for v in (vol, boot):
            A.wait('volume %s detached' % v.id,
                   lambda: cloud.volume(v.id).status in ('available', 'error'), 300)
            cloud.delete_volume(v.id)


def fill_byte(vol_id, workdir, pool=POOL_A):
    return A.rbd_byte_at(pool, 'volume-%s' % vol_id, workdir)


def start_writers(guest, dev, slot_sets, **kw):
    writers = [A.Writer(guest, dev, s, **kw) for s in slot_sets]
    for w in writers:
        w.start()
    return writers


def stop_writers(writers):
    for w in writers:
        w.stop()
    return [r for w in writers for r in w.records]


def write_rate(writers, t0, t1):
    """MiB/s the writers got between two wall-clock times."""
    n = sum(len(w.records_between(t0, t1)) for w in writers)
    return round(n * 64 * A.KIB / A.MIB / max(t1 - t0, 1e-3), 2)


def mirror_window(job):
    """Wall-clock start and end of the agent's job."""
    return job.created.ToNanoseconds() / 1e9, job.updated.ToNanoseconds() / 1e9


TARGETS = {'ferry-b': (1, POOL_B), 'ferry-c': (2, POOL_C)}   # type -> (cluster, pool)


def assert_on_new_image(cloud, guest, srv, vol_id, dev, workdir, records, vtype='ferry-b'):
    """Every record names the new image in the type's pool, and the new image
    holds every write. Nova's records are read once its swap_volume action
    ended: Cinder reports success before Nova saves the new mapping."""
    cluster, pool = TARGETS[vtype]
    act = cloud.wait_swap_done(srv.id)
    assert [e['result'] for e in act.events] == ['Success'] * len(act.events), act.events
    vol = cloud.volume(vol_id)
    name_id = getattr(vol, 'os-vol-mig-status-attr:name_id', None) or vol.id
    new_image = 'volume-%s' % name_id
    new_source = A.source_name(pool, new_image)
    # Cinder: volume
    assert vol.status == 'in-use'
    assert A.migstat(vol) == 'success'
    assert vol.volume_type == vtype
    assert '@%s' % vtype in getattr(vol, 'os-vol-host-attr:host')
    assert name_id != vol.id, 'the data moved to a new image: name_id must be set'
    # Cinder: attachment
    atts = cloud.attachments(vol.id)
    assert [a.instance for a in atts] == [srv.id]
    assert atts[0].status == 'attached'
    att = cloud.cinder.attachments.show(atts[0].id)
    assert A.rbd_name_of(att.connection_info) == new_source
    # Nova: block-device mapping in its database, naming Cinder's attachment
    bdm, attachment_id = A.nova_bdm(vol.id, with_attachment=True)
    assert A.rbd_name_of(bdm) == new_source, bdm
    assert attachment_id == atts[0].id
    # libvirt: live and persistent definitions
    assert guest.disk(dev)[0] == new_source
    assert guest.disk(dev, persistent=True)[0] == new_source
    # Ceph: old image gone (Cinder deletes it after the swap, asynchronously), new image
    # holds every recorded write
    A.wait('old image volumes-a/volume-%s deleted' % vol.id,
           lambda: not A.rbd_exists(POOL_A, 'volume-%s' % vol.id), 120)
    assert_writes_on(pool, new_image, workdir, records, cluster)
    return new_image


def assert_writes_on(pool, image, workdir, records, cluster=1):
    path = A.rbd_export(pool, image, workdir, cluster=cluster)
    try:
        missing = A.missing_writes(path, records)
    finally:
        os.unlink(path)
    assert missing == [], '%d of %d recorded writes missing on %s/%s, e.g. %s' % (
        len(missing), len(records), pool, image, missing[:3])


def mirror_summary(vol_id):
    jobs = A.mirror_jobs(vol_id)
    assert jobs, 'no live-mirror job of the agent for volume %s' % vol_id
    job = jobs[-1]
    p = job.progress
    t0, t1 = mirror_window(job)
    return job, {
        'job': job.id,
        'mirror_s': round(t1 - t0, 1),
        'events': A.events_text(job),
        'guest_dirty_rate_mib_s': round(p.guest_dirty_rate / A.MIB, 2),
    }


def retype_with_a_light_writer(cloud, instance, workdir, vtype, key):
    """retype --migration-policy on-demand of the in-use volume to vtype under a
    steady 2 MiB/s writer; every record checked, then again after a hard reboot."""
    cluster, pool = TARGETS[vtype]
    srv, guest, vol, dev = instance
    fill = fill_byte(vol.id, workdir)
    during, after = A.slot_sets(DISK, seed=1, parts=2)
    # A steady writer, slow enough for Nova's own copy too (2 MiB/s).
    writers = start_writers(guest, dev, [during], rate=2 * A.MIB, avoid=(fill,))
    time.sleep(2)
    # Cinder reports success from migrate_volume_completion, which Nova calls before it
    # saves the new mapping: watch both databases through the move.
    race = A.RaceWatch(vol.id)
    race.start()
    try:
        took, done = cloud.retype_on_demand(vol.id, vtype, interval=0.1)
        # Cinder said success: what does Nova's mapping say at that moment?
        assert A.migstat(done) == 'success', A.migstat(done)
        new_source = A.source_name(pool, 'volume-%s' % getattr(
            done, 'os-vol-mig-status-attr:name_id', None))
        first, lag = A.bdm_catch_up(vol.id, new_source)
    finally:
        race.stop()
    time.sleep(2)    # writes after the swap must land on the new image too
    records = stop_writers(writers)
    job, summary = mirror_summary(vol.id)
    assert job.state == 10, summary   # COMPLETED
    new_image = assert_on_new_image(cloud, guest, srv, vol.id, dev, workdir, records, vtype)
    FIGURES[key] = dict(
        summary, retype_s=round(took, 1), writes=len(records),
        guest_write_mib_s=write_rate(writers, *mirror_window(job)),
        nova_bdm_at_cinder_success=('new' if first == new_source else 'old: ' + first),
        nova_bdm_new_after_cinder_success_s=round(lag, 2),
        db_race=race.summary(new_source))

    # A hard reboot rebuilds the domain from Nova's records: still the new image.
    t2 = time.monotonic()
    cloud.nova.servers.reboot(srv.id, reboot_type='HARD')
    time.sleep(3)
    cloud.wait_server(srv.id, 'ACTIVE', 240)
    A.wait('domain running again', lambda: guest.dom.isActive(), 60)
    FIGURES[key]['hard_reboot_s'] = round(time.monotonic() - t2, 1)
    assert guest.disk(dev)[0] == A.source_name(pool, new_image)
    assert guest.disk(dev, persistent=True)[0] == A.source_name(pool, new_image)
    late = A.Writer(guest, dev, after[:50], avoid=(fill,))
    for _ in range(50):
        late.write_one()
    assert_writes_on(pool, new_image, workdir, records + late.records, cluster)


def test_retype_of_an_attached_volume_moves_every_record(cloud, instance, workdir):
    retype_with_a_light_writer(cloud, instance, workdir, 'ferry-b', 'retype_light_writer')


def test_retype_of_an_attached_volume_to_the_other_cluster(cloud, instance, workdir):
    """ferry-c lives on the second Ceph cluster: Nova connects the new volume
    through that cluster's monitors, the mirror copies across clusters."""
    retype_with_a_light_writer(cloud, instance, workdir, 'ferry-c',
                               'retype_light_writer_other_cluster')


def busy_writers(guest, dev, fill):
    """As fast as the monitor takes them: four writers of 64 KiB random
    writes, not waited for (aio)."""
    return start_writers(guest, dev, A.slot_sets(DISK, seed=2, parts=4), aio=True,
                         avoid=(fill,))


def fast_writer(guest, dev, fill):
    """One writer of 64 KiB random writes over the whole disk, each one waited
    for, as fast as the monitor takes them (15-20 MiB/s on a quiet machine;
    more threads only queue on the monitor). Waited-for writes keep the
    guest's queue bounded, as a real guest's is."""
    return start_writers(guest, dev, A.slot_sets(DISK, seed=2, parts=1), avoid=(fill,))


@pytest.fixture
def slow_destination():
    """A destination slower than the guest, the same for both copy engines:
    librbd's QoS lets at most DEST_IOPS writes a second into each image of
    pool b, whoever opens it (here the guest's QEMU, which runs the mirror
    for Ferry and for Nova alike). The mirror copies the guest's scattered
    64 KiB dirty chunks one write each, so it cannot copy them faster than
    DEST_IOPS x 64 KiB/s, while the guest's own writes to pool a are not
    limited. (A byte limit, rbd_qos_write_bps_limit, stalled QEMU's mirror
    outright: it zeroes the destination in large requests, each charged its
    full length.) Yields that copy ceiling in bytes/s."""
    A.set_pool_write_iops(POOL_B, DEST_IOPS)
    try:
        yield DEST_IOPS * 64 * A.KIB
    finally:
        A.set_pool_write_iops(POOL_B, 0)


def event_time(ev):
    return ev.time.ToNanoseconds() / 1e9


def test_fast_writer_converges_with_ferrys_policy(cloud, instance, workdir,
                                                  slow_destination):
    srv, guest, vol, dev = instance
    writers = fast_writer(guest, dev, fill_byte(vol.id, workdir))
    time.sleep(3)
    took, _ = cloud.retype_on_demand(vol.id, 'ferry-b', timeout=600)
    records = stop_writers(writers)
    job, summary = mirror_summary(vol.id)
    assert job.state == 10, summary
    assert_on_new_image(cloud, guest, srv, vol.id, dev, workdir, records)
    steps = [ev for ev in job.events if ev.kind == 'convergence']
    assert steps, 'READY without a convergence step: %s' % summary
    # The guest really was faster than the copy could be, before the first step.
    t_job = mirror_window(job)[0]
    rate = write_rate(writers, t_job, event_time(steps[0]))
    ceiling = round(slow_destination / A.MIB, 2)
    assert rate > ceiling, 'guest wrote %s MiB/s, the copy may reach %s' % (rate, ceiling)
    ready = [ev.message for ev in job.events if 'READY' in ev.message and ev.kind == 'state']
    FIGURES['retype_fast_writer_ferry'] = dict(
        summary, retype_s=round(took, 1), writes=len(records),
        dest_write_iops_limit=DEST_IOPS, copy_ceiling_mib_s=ceiling,
        guest_write_mib_s_before_first_step=rate,
        guest_write_mib_s=write_rate(writers, *mirror_window(job)),
        first_step_after_s=round(event_time(steps[0]) - t_job, 1),
        convergence_steps=['%+.1f s %s' % (event_time(ev) - t_job, ev.message) for ev in steps],
        ready=ready)


def test_cancel_during_an_attached_move_keeps_the_old_image(cloud, instance,
                                                            workdir):
    srv, guest, vol, dev = instance
    old_source = A.source_name(POOL_A, 'volume-%s' % vol.id)
    writers = busy_writers(guest, dev, fill_byte(vol.id, workdir))
    time.sleep(2)
    result = {}
    mover = threading.Thread(target=lambda: result.update(
        zip(('took', 'vol'), cloud.retype_on_demand(vol.id, 'ferry-b'))), daemon=True)
    mover.start()
    job = A.wait('the agent mirrors the volume', lambda: next(iter(
        [j for j in A.mirror_jobs(vol.id) if j.state in (2, 3)]), None), 300, 0.3)
    cancelled = A.ferry_cli('cancel', job.id)
    assert cancelled.returncode == 0, cancelled.stdout + cancelled.stderr
    mover.join(600)
    records = stop_writers(writers)
    act = cloud.wait_swap_done(srv.id)
    assert 'Error' in [e['result'] for e in act.events], act.events
    vol = cloud.volume(vol.id)
    # Cinder: the migration failed, the volume stayed where it was, still attached.
    assert vol.status == 'in-use'
    assert A.migstat(vol) == 'error'
    assert '@ferry-a' in getattr(vol, 'os-vol-host-attr:host')
    assert vol.volume_type == 'ferry-a'
    assert getattr(vol, 'os-vol-mig-status-attr:name_id', None) in (None, vol.id)
    atts = cloud.attachments(vol.id)
    assert [a.instance for a in atts] == [srv.id]
    # Nova and libvirt: still the old image; the guest runs.
    bdm, attachment_id = A.nova_bdm(vol.id, with_attachment=True)
    assert A.rbd_name_of(bdm) == old_source
    assert attachment_id == atts[0].id
    assert guest.dom.isActive()
    assert guest.disk(dev)[0] == old_source
    assert guest.disk(dev, persistent=True)[0] == old_source
    # Every write is on the old image; the job abandoned the destination.
    path = A.rbd_export(POOL_A, 'volume-%s' % vol.id, workdir)
    try:
        assert A.missing_writes(path, records) == []
    finally:
        os.unlink(path)
    final = A.mirror_jobs(vol.id)[-1]
    assert final.state == 12, A.events_text(final)     # CANCELLED
    leftovers = [i for i in A.rbd('ls', POOL_B).split() if i != 'volume-' + vol.id]
    FIGURES['cancel_attached'] = dict(
        retype_s=round(result.get('took', -1), 1), job=job.id, writes=len(records),
        events=A.events_text(final), pool_b_images_after=len(leftovers))


def lab_script(*args, **extra_env):
    script = os.path.join(A.REPO, 'scripts', 'openstack-lab.sh')
    e = dict(os.environ, **extra_env)
    out = subprocess.run([script] + list(args), env=e, capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]


@pytest.fixture
def stock_nova_copy():
    """nova-compute with [ferry] copy_engine = nova: Nova's own _swap_volume."""
    lab_script('start', 'nova', FERRY_NOVA_COPY_ENGINE='nova')
    yield
    lab_script('start', 'nova', FERRY_NOVA_COPY_ENGINE='ferry')


def test_fast_writer_with_novas_own_copy(cloud, instance, workdir,
                                         slow_destination, stock_nova_copy):
    """The stock path on the same stack and the same slow destination: Nova's
    blockCopy, no convergence policy, waits for the job to complete with no
    timeout. While the guest writes, it must not converge; what Cinder, Nova
    and libvirt say meanwhile and where the guest's data is are recorded. The
    writer stops after STOCK_BUDGET seconds so that the move can end."""
    srv, guest, vol, dev = instance
    old_image = 'volume-%s' % vol.id
    old_source = A.source_name(POOL_A, old_image)
    writers = fast_writer(guest, dev, fill_byte(vol.id, workdir))
    writer = writers[0]
    time.sleep(3)
    result = {}
    mover = threading.Thread(target=lambda: result.update(
        zip(('took', 'vol'), cloud.retype_on_demand(vol.id, 'ferry-b'))), daemon=True)
    t0 = time.time()
    mover.start()
    undefined_seen = False
    samples = []    # (time, bytes left, ready) of Nova's block job, seen through the agent
    while mover.is_alive() and (not samples or time.time() - samples[0][0] < STOCK_BUDGET):
        try:
            undefined_seen |= not guest.dom.isPersistent()
            samples += [(time.time(), j.end - j.cur, j.ready) for j in A.block_jobs()
                        if j.disk_target == dev and not j.ferry_job_id]
        except Exception:   # the domain is being redefined by Nova
            pass
        mover.join(1)
        assert time.time() - t0 < 900, 'the stock copy did not even start'
    converged_under_load = not mover.is_alive()
    t1 = time.time()
    assert samples, 'no block job of Nova seen'
    copy_start = samples[0][0]
    rate = write_rate(writers, copy_start, t1)
    ceiling = round(slow_destination / A.MIB, 2)
    assert rate > ceiling, 'guest wrote %s MiB/s, the copy may reach %s' % (rate, ceiling)
    assert not converged_under_load, 'stock Nova converged under a guest faster than its copy'
    assert not any(r for _, _, r in samples)
    # Meanwhile (the guest still writing): every record still names the old image ...
    v = cloud.volume(vol.id)
    meanwhile = dict(cinder_status=v.status, cinder_migstat=A.migstat(v),
                     cinder_host=getattr(v, 'os-vol-host-attr:host'),
                     nova_bdm=A.rbd_name_of(A.nova_bdm(vol.id)), live_xml=guest.disk(dev)[0],
                     domain_persistent=guest.dom.isPersistent())
    assert meanwhile['nova_bdm'] == old_source and meanwhile['live_xml'] == old_source
    assert v.status == 'retyping' and A.migstat(v) == 'migrating', meanwhile
    # ... and the guest's data is on the old image: every write answered so far
    # (but for slots written again since) is there.
    n0 = len(writer.records)
    path = A.rbd_export(POOL_A, old_image, workdir, name='old')
    try:
        again = {off for off, _, _ in writer.records[n0:]}
        answered = [r for r in writer.records[:n0] if r[0] not in again]
        assert A.missing_writes(path, answered) == []
    finally:
        os.unlink(path)
    records = stop_writers(writers)
    t2 = time.time()
    mover.join(600)
    assert not mover.is_alive(), 'stock swap did not end even without writes'
    t3 = time.time()
    assert_on_new_image(cloud, guest, srv, vol.id, dev, workdir, records)
    left = [b for _, b, _ in samples]
    FIGURES['retype_fast_writer_stock_nova'] = dict(
        converged_while_writing=converged_under_load,
        ready_while_writing=any(r for _, _, r in samples),
        dest_write_iops_limit=DEST_IOPS, copy_ceiling_mib_s=ceiling,
        block_job_s_while_writing=round(t1 - copy_start, 1),
        block_job_left_mib_first_last_min=[round(x / A.MIB, 1) for x in (
            left[0], left[-1], min(left))],
        meanwhile=dict(meanwhile, writes_checked_on_old_image=len(answered)),
        retype_s=round(result['took'], 1),
        end_after_writer_stopped_s=round(t3 - t2, 1),
        guest_write_mib_s=rate, writes=len(records),
        persistent_domain_undefined_during_copy=undefined_seen,
        agent_jobs=len(A.mirror_jobs(vol.id)))
