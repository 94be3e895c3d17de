"""migrate_volume of a detached volume through a fake agent on 127.0.0.1.

The driver's own channel code talks to a real grpcio server; only rados/rbd
are mocked. The source is deleted only after the job is COMPLETED.
"""

from unittest import mock

import pytest

from cinder import exception
from cinder.volume.drivers import rbd

from cinder_helpers import FSID_A
from cinder_helpers import FSID_B
from cinder_helpers import make_driver
from cinder_helpers import rbd_host
from cinder_helpers import stock_location
from cinder_helpers import volume
from ferry_agent_client.proto import job_pb2
from ferry_cinder import location
from ferry_cinder.driver import FerryRBDDriver

SAME_CLUSTER_OTHER_POOL = rbd_host(stock_location(FSID_A, 'volumes-b'))
OTHER_CLUSTER = rbd_host(location.extend(stock_location(FSID_B, 'volumes'),
                                         'lab-b'))


def ferry(agent, **overrides):
    values = dict(ferry_agent_address=agent.address, ferry_cluster_id='lab-a',
                  ferry_poll_interval=0.01, ferry_bandwidth=40)
    values.update(overrides)
    drv = make_driver(FerryRBDDriver, **values)
    states_at_delete = []
    drv.delete_volume.side_effect = lambda v: states_at_delete.append(
        [j.state for j in agent.agent.jobs.values()])
    return drv, states_at_delete


def start_requests(agent):
    return [r for m, r in agent.agent.calls if m == 'StartCopy']


def test_same_cluster_other_pool_copies_then_deletes_source(agent, ctx):
    drv, states_at_delete = ferry(agent)
    vol = volume(ctx)

    assert drv.migrate_volume(ctx, vol, SAME_CLUSTER_OTHER_POOL) == (True,
                                                                     None)

    [req] = start_requests(agent)
    assert (req.source.rbd.cluster_id, req.source.rbd.pool,
            req.source.rbd.image) == ('lab-a', 'volumes-a', vol.name)
    assert (req.destination.rbd.cluster_id, req.destination.rbd.pool,
            req.destination.rbd.image) == ('lab-a', 'volumes-b', vol.name)
    opts = req.options
    assert opts.create_destination and opts.verify and opts.keep_sparse
    assert not opts.delete_source
    assert opts.bandwidth_bytes_per_sec == 40 << 20
    assert req.labels['volume_id'] == vol.id
    drv.delete_volume.assert_called_once_with(vol)
    assert states_at_delete == [[job_pb2.COMPLETED]]


def test_other_cluster_is_named_by_its_reported_ferry_id(agent, ctx):
    drv, _ = ferry(agent)
    assert drv.migrate_volume(ctx, volume(ctx), OTHER_CLUSTER) == (True, None)
    [req] = start_requests(agent)
    assert (req.destination.rbd.cluster_id,
            req.destination.rbd.pool) == ('lab-b', 'volumes')


def test_stock_destination_cluster_is_named_by_fsid_map(agent, ctx):
    drv, _ = ferry(agent, ferry_cluster_fsids={FSID_B: 'lab-b'})
    dest = rbd_host(stock_location(FSID_B, 'volumes'))
    assert drv.migrate_volume(ctx, volume(ctx), dest) == (True, None)
    [req] = start_requests(agent)
    assert req.destination.rbd.cluster_id == 'lab-b'


def test_unknown_cluster_falls_back_to_generic(agent, ctx):
    drv, _ = ferry(agent)
    dest = rbd_host(stock_location(FSID_B, 'volumes'))
    assert drv.migrate_volume(ctx, volume(ctx), dest) == (False, None)
    assert agent.agent.calls == []
    drv.delete_volume.assert_not_called()


@pytest.mark.parametrize('host', [
    {'host': 'n@lvm#lvm', 'capabilities': {'storage_protocol': 'iSCSI',
                                           'location_info': 'x'}},
    {'host': 'n@c#c', 'capabilities': {'storage_protocol': 'ceph'}},
    rbd_host('not:an:rbd:location'),
])
def test_non_rbd_destination_falls_back_to_generic(agent, ctx, host):
    drv, _ = ferry(agent)
    assert drv.migrate_volume(ctx, volume(ctx), host) == (False, None)
    assert agent.agent.calls == []


def test_same_cluster_same_pool_moves_nothing(agent, ctx):
    drv, _ = ferry(agent)
    dest = rbd_host(stock_location(FSID_A, 'volumes-a'))
    assert drv.migrate_volume(ctx, volume(ctx), dest) == (True, None)
    assert agent.agent.calls == []
    drv.delete_volume.assert_not_called()


def test_ferry_off_when_unconfigured_falls_back_to_generic(ctx):
    drv = make_driver(FerryRBDDriver)   # no agent address, no cluster id
    drv._agent_client = mock.Mock()
    assert drv.migrate_volume(ctx, volume(ctx), SAME_CLUSTER_OTHER_POOL) == (
        False, None)
    drv._agent_client.assert_not_called()


def test_failed_job_raises_and_keeps_source(agent, ctx):
    agent.agent.script = [(job_pb2.SYNCING, 10), (job_pb2.FAILED, 10)]
    agent.agent.final_error = job_pb2.JobError(
        code='UNAVAILABLE', message='cluster lab-a: pool volumes-b does not '
        'exist; create it or fix the destination')
    drv, _ = ferry(agent)
    with pytest.raises(exception.VolumeMigrationFailed) as err:
        drv.migrate_volume(ctx, volume(ctx), SAME_CLUSTER_OTHER_POOL)
    assert 'pool volumes-b does not exist' in str(err.value)
    assert 'source is untouched' in str(err.value)
    drv.delete_volume.assert_not_called()


def test_timeout_cancels_job_and_keeps_source(agent, ctx):
    agent.agent.hold.clear()          # the job never advances
    drv, _ = ferry(agent, ferry_migration_timeout=1)
    with pytest.raises(exception.VolumeMigrationFailed) as err:
        drv.migrate_volume(ctx, volume(ctx), SAME_CLUSTER_OTHER_POOL)
    assert 'ferry_migration_timeout=1' in str(err.value)
    assert 'CancelJob' in agent.agent.methods()
    [job] = agent.agent.jobs.values()
    assert job.state == job_pb2.CANCELLED
    drv.delete_volume.assert_not_called()


def test_agent_refusal_raises_with_agent_reason(agent, ctx):
    import grpc
    agent.agent.fail_next['StartCopy'] = (
        grpc.StatusCode.FAILED_PRECONDITION,
        'cluster lab-a is not reachable: check the agent\'s ceph.conf')
    drv, _ = ferry(agent)
    with pytest.raises(exception.VolumeMigrationFailed) as err:
        drv.migrate_volume(ctx, volume(ctx), SAME_CLUSTER_OTHER_POOL)
    assert 'FAILED_PRECONDITION' in str(err.value)
    assert 'not reachable' in str(err.value)
    drv.delete_volume.assert_not_called()


def test_unreachable_agent_raises_and_keeps_source(ctx, monkeypatch):
    monkeypatch.setattr('ferry_agent_client.client._RETRY_PAUSE', 0.01)
    drv = make_driver(FerryRBDDriver, ferry_agent_address='127.0.0.1:9',
                      ferry_cluster_id='lab-a', ferry_rpc_timeout=2)
    with pytest.raises(exception.VolumeMigrationFailed) as err:
        drv.migrate_volume(ctx, volume(ctx), SAME_CLUSTER_OTHER_POOL)
    assert 'unreachable' in str(err.value)
    drv.delete_volume.assert_not_called()


def test_plaintext_to_remote_agent_is_refused(ctx):
    drv = make_driver(FerryRBDDriver, ferry_agent_address='192.0.2.1:7000',
                      ferry_cluster_id='lab-a')
    with pytest.raises(exception.VolumeMigrationFailed) as err:
        drv.migrate_volume(ctx, volume(ctx), SAME_CLUSTER_OTHER_POOL)
    assert 'ferry_tls_cert' in str(err.value)
    drv.delete_volume.assert_not_called()


def test_source_delete_failure_is_reported_with_the_copy_location(agent, ctx):
    drv, _ = ferry(agent)
    drv.delete_volume.side_effect = rbd.rbd.ImageBusy if hasattr(
        rbd.rbd, 'ImageBusy') else RuntimeError('image busy')
    with pytest.raises(exception.VolumeMigrationFailed) as err:
        drv.migrate_volume(ctx, volume(ctx), SAME_CLUSTER_OTHER_POOL)
    assert 'lab-a/volumes-b/' in str(err.value)
    assert 'delete the copy' in str(err.value)


def test_a_job_left_by_an_earlier_try_is_not_reused(agent, ctx):
    drv, states_at_delete = ferry(agent)
    vol = volume(ctx)
    assert drv.migrate_volume(ctx, vol, SAME_CLUSTER_OTHER_POOL) == (True,
                                                                     None)
    # The same volume moved again later (e.g. back and forth): the COMPLETED
    # job of the first move must not stand for a second copy.
    assert drv.migrate_volume(ctx, vol, SAME_CLUSTER_OTHER_POOL) == (True,
                                                                     None)
    reqs = start_requests(agent)
    assert len(reqs) == 3
    assert reqs[0].request_id == reqs[1].request_id
    assert reqs[2].request_id != reqs[0].request_id
    assert len(agent.agent.jobs) == 2
    assert states_at_delete[1] == [job_pb2.COMPLETED, job_pb2.COMPLETED]


def test_a_completed_job_without_verification_does_not_delete(agent, ctx):
    """Defence in depth: the agent's record of the job is checked before
    the source is deleted on its strength."""
    drv, _ = ferry(agent)
    original = agent.agent.advance

    def advance_and_unverify(job):
        job.copy_options.verify = False
        return original(job)
    agent.agent.advance = advance_and_unverify
    with pytest.raises(exception.VolumeMigrationFailed) as err:
        drv.migrate_volume(ctx, volume(ctx), SAME_CLUSTER_OTHER_POOL)
    assert 'without verification' in str(err.value)
    drv.delete_volume.assert_not_called()


def test_a_completed_job_to_another_destination_does_not_delete(agent, ctx):
    drv, _ = ferry(agent)
    original = agent.agent.advance

    def advance_elsewhere(job):
        job.destination.rbd.pool = 'somewhere-else'
        return original(job)
    agent.agent.advance = advance_elsewhere
    with pytest.raises(exception.VolumeMigrationFailed) as err:
        drv.migrate_volume(ctx, volume(ctx), SAME_CLUSTER_OTHER_POOL)
    assert 'somewhere-else' in str(err.value)
    drv.delete_volume.assert_not_called()
