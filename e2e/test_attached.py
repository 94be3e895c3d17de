"""Attached volumes on the lab OpenStack: `cinder retype --migration-policy
on-demand` of an in-use volume goes Cinder generic migration -> Nova
swap-volume -> ferry_nova -> the agent's live mirror with pivot, while the
guest's QEMU keeps writing. Every record is checked afterwards: Cinder's
volume and attachment, Nova's block-device mapping (its database), the live
and the persistent libvirt XML, and every recorded write on the new image.

The guest has no OS (it sits in its firmware): writes are injected into the
disk through its QEMU with the HMP command qemu-io, which goes through the
same block layer as a guest's own writes, mirror included.

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

POOL_A, POOL_B = 'volumes-a', 'volumes-b'
DISK = 1 * A.GIB
FIGURES = {}
# How long the stock copy may try under the fast writer before the writer is
# stopped (then it converges, and the test can end).
STOCK_BUDGET = int(os.environ.get('FERRY_E2E_STOCK_BUDGET', '120'))


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


def assert_on_new_image(cloud, guest, srv, vol_id, dev, workdir, records):
    """Every record says pool b, and the new image holds every write."""
    act = cloud.wait_swap_done(srv.id)
    assert [e['result'] for e in act.events] == ['Success'] * len(act.events), act.events
    vol = cloud.volume(vol_id)
    name_id = getattr(vol, 'os-vol-mig-status-attr:name_id', None) or vol.id
    new_image = 'volume-%s' % name_id
    new_source = A.source_name(POOL_B, new_image)
    # Cinder: volume
    assert vol.status == 'in-use'
    assert A.migstat(vol) == 'success'
    assert vol.volume_type == 'ferry-b'
    assert '@ferry-b' in getattr(vol, 'os-vol-host-attr:host')
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
    # Ceph: old image gone, new image holds every recorded write
    assert not A.rbd_exists(POOL_A, 'volume-%s' % vol.id)
    path = A.rbd_export(POOL_B, new_image, workdir)
    try:
        missing = A.missing_writes(path, records)
    finally:
        os.unlink(path)
    assert missing == [], '%d of %d recorded writes missing on %s, e.g. %s' % (
        len(missing), len(records), new_source, missing[:3])
    return new_image


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


def test_retype_of_an_attached_volume_moves_every_record(cloud, instance,
                                                         workdir):
    srv, guest, vol, dev = instance
    fill = fill_byte(vol.id, workdir)
    during, after = A.slot_sets(DISK, seed=1, parts=2)
    # A steady writer, slow enough for Nova's own copy too (2 MiB/s).
    writers = start_writers(guest, dev, [during], rate=2 * A.MIB, avoid=(fill,))
    time.sleep(2)
    t0 = time.monotonic()
    took, _ = cloud.retype_on_demand(vol.id, 'ferry-b')
    t1 = time.monotonic()
    time.sleep(2)    # writes after the swap must land on the new image too
    records = stop_writers(writers)
    job, summary = mirror_summary(vol.id)
    assert job.state == 10, summary   # COMPLETED
    new_image = assert_on_new_image(cloud, guest, srv, vol.id, dev, workdir, records)
    FIGURES['retype_light_writer'] = dict(
        summary, retype_s=round(took, 1), writes=len(records),
        guest_write_mib_s=write_rate(writers, *mirror_window(job)))

    # A hard reboot rebuilds the domain from Nova's records: still the new image.
    t2 = time.monotonic()
    cloud.nova.servers.reboot(srv.id, reboot_type='HARD')
    time.sleep(3)
    cloud.wait_server(srv.id, 'ACTIVE', 240)
    A.wait('domain running again', lambda: guest.dom.isActive(), 60)
    FIGURES['hard_reboot_s'] = round(time.monotonic() - t2, 1)
    assert guest.disk(dev)[0] == A.source_name(POOL_B, new_image)
    assert guest.disk(dev, persistent=True)[0] == A.source_name(POOL_B, new_image)
    late = A.Writer(guest, dev, after[:50], avoid=(fill,))
    for _ in range(50):
        late.write_one()
    path = A.rbd_export(POOL_B, new_image, workdir)
    try:
        assert A.missing_writes(path, records + late.records) == []
    finally:
        os.unlink(path)


def fast_writers(guest, dev, fill):
    """As fast as the monitor takes them: four writers of 64 KiB random writes."""
    return start_writers(guest, dev, A.slot_sets(DISK, seed=2, parts=4), aio=True,
                         avoid=(fill,))


def test_fast_writer_converges_with_ferrys_policy(cloud, instance, workdir):
    srv, guest, vol, dev = instance
    writers = fast_writers(guest, dev, fill_byte(vol.id, workdir))
    time.sleep(5)
    t0 = time.monotonic()
    took, _ = cloud.retype_on_demand(vol.id, 'ferry-b')
    t1 = time.monotonic()
    records = stop_writers(writers)
    job, summary = mirror_summary(vol.id)
    assert job.state == 10, summary
    assert_on_new_image(cloud, guest, srv, vol.id, dev, workdir, records)
    steps = [e for e in summary['events'] if 'convergence' in e]
    FIGURES['retype_fast_writer_ferry'] = dict(
        summary, retype_s=round(took, 1), writes=len(records),
        guest_write_mib_s=write_rate(writers, *mirror_window(job)), convergence_steps=steps)


def test_cancel_during_an_attached_move_keeps_the_old_image(cloud, instance,
                                                            workdir):
    srv, guest, vol, dev = instance
    old_source = A.source_name(POOL_A, 'volume-%s' % vol.id)
    writers = fast_writers(guest, dev, fill_byte(vol.id, workdir))
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
                                         stock_nova_copy):
    """The stock path on the same stack, for the record: Nova's blockCopy with
    no convergence policy. Not an assertion that it fails: what it did is
    recorded; the writer stops after STOCK_BUDGET seconds so that it can end."""
    srv, guest, vol, dev = instance
    writers = fast_writers(guest, dev, fill_byte(vol.id, workdir))
    time.sleep(5)
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
    records = stop_writers(writers)
    mover.join(600)
    assert not mover.is_alive(), 'stock swap did not end even without writes'
    t2 = time.time()
    assert_on_new_image(cloud, guest, srv, vol.id, dev, workdir, records)
    copy_start = samples[0][0] if samples else t0
    left = [b for _, b, _ in samples]
    FIGURES['retype_fast_writer_stock_nova'] = dict(
        converged_while_writing=converged_under_load,
        ready_while_writing=any(r for _, _, r in samples),
        block_job_s_while_writing=round(t1 - copy_start, 1),
        block_job_left_mib_first_last_min=[round(x / A.MIB, 1) for x in (
            left[0], left[-1], min(left))] if left else None,
        retype_s=round(result['took'], 1),
        end_after_writer_stopped_s=None if converged_under_load else round(t2 - t1, 1),
        guest_write_mib_s=write_rate(writers, copy_start, t1), writes=len(records),
        persistent_domain_undefined_during_copy=undefined_seen,
        agent_jobs=len(A.mirror_jobs(vol.id)))
