"""Nova's own swap_volume with FerryLibvirtDriver._swap_volume under it."""

import sys

import pytest

if 'cinder.volume' in sys.modules:
    # Cinder and Nova register clashing oslo.config options: one process
    # cannot hold both. run-tests.sh runs each test directory on its own.
    pytest.skip('Cinder is loaded in this process: run tests/nova_driver on '
                'its own', allow_module_level=True)

from unittest import mock

from oslo_config import cfg

from nova import context
from nova import exception

from ferry_agent_client.proto import job_pb2
from ferry_nova import driver as ferry_driver
from nova_helpers import connection_info
from nova_helpers import FakeGuest
from nova_helpers import instance
from nova_helpers import NEW
from nova_helpers import OLD
from nova_helpers import set_ferry

MIRROR = [(job_pb2.PREPARING, 0), (job_pb2.SYNCING, 512),
          (job_pb2.READY, 1024), (job_pb2.PIVOTING, 1024),
          (job_pb2.COMPLETED, 1024)]


@pytest.fixture
def drv(agent):
    agent.agent.script = list(MIRROR)
    set_ferry(agent_address=agent.address, poll_interval=0.01, bandwidth=50,
              swap_timeout=30)
    d = ferry_driver.FerryLibvirtDriver(mock.Mock(), False)
    d._host = mock.Mock()
    d._host.find_secret.return_value = None   # not an encrypted volume
    d._get_volume_encryption = mock.Mock(return_value={})
    d._disconnect_volume = mock.Mock(wraps=d._disconnect_volume)
    yield d
    cfg.CONF.reset()   # drop this test's [ferry] overrides


def swap(drv, guest, resize_to=0):
    drv._host.get_guest.return_value = guest
    drv.swap_volume(context.get_admin_context(), connection_info(OLD),
                    connection_info(NEW), instance(guest.uuid), '/dev/vdb',
                    resize_to)


def mirror_requests(agent):
    return [r for m, r in agent.agent.calls if m == 'StartLiveMirror']


def test_swap_asks_for_a_live_mirror_with_pivot_of_novas_disk(agent, drv):
    guest = FakeGuest(agent.agent)
    swap(drv, guest)

    [req] = mirror_requests(agent)
    assert (req.domain, req.disk_target) == (guest.uuid, 'vdb')
    assert 'name="%s"' % NEW in req.destination_xml   # built by Nova's code
    assert '<target dev="vdb"' in req.destination_xml
    assert req.options.pivot and not req.options.create_destination
    assert req.options.bandwidth_bytes_per_sec == 50 << 20
    assert req.options.convergence.write_blocking
    # the control plane finds the job by the migrating volume's id
    assert req.labels['volume_id'] == OLD.rsplit('volume-', 1)[1]
    assert req.labels['new_volume_id'] == NEW.rsplit('volume-', 1)[1]
    assert req.labels['instance_uuid'] == guest.uuid


def test_success_persists_the_live_xml_and_disconnects_the_old(agent, drv):
    guest = FakeGuest(agent.agent)
    swap(drv, guest)

    xml = drv._host.write_instance_config.call_args[0][0]
    assert NEW in xml and OLD not in xml
    assert not guest.undefined                 # never undefined (rule 7)
    [(args, _)] = drv._disconnect_volume.call_args_list
    assert args[1]['data']['name'] == OLD


def test_resize_follows_the_pivot(agent, drv):
    guest = FakeGuest(agent.agent)
    swap(drv, guest, resize_to=2)
    guest.block_device.resize.assert_called_once_with(2 << 30)


def test_failed_mirror_raises_rebase_failed_and_nova_rolls_back(agent, drv):
    agent.agent.script = [(job_pb2.SYNCING, 1), (job_pb2.FAILED, 1)]
    agent.agent.final_error = job_pb2.JobError(
        code='FAILED_PRECONDITION', message='mirror did not converge at '
        '20 MiB/s guest writes; allow write_blocking')
    guest = FakeGuest(agent.agent)
    with pytest.raises(exception.VolumeRebaseFailed) as err:
        swap(drv, guest)
    assert 'did not converge' in str(err.value)
    drv._host.write_instance_config.assert_not_called()
    [(args, _)] = drv._disconnect_volume.call_args_list   # Nova's rollback
    assert args[1]['data']['name'] == NEW


def test_timeout_cancels_the_mirror_and_raises(agent, drv):
    agent.agent.hold.clear()
    set_ferry(swap_timeout=1)
    with pytest.raises(exception.VolumeRebaseFailed) as err:
        swap(drv, FakeGuest(agent.agent))
    assert 'old volume' in str(err.value)
    assert 'CancelJob' in agent.agent.methods()


def test_failure_reported_after_the_pivot_completes_the_swap(agent, drv):
    """Rolling back after a pivot would drop the guest's new writes."""
    agent.agent.script = [(job_pb2.PIVOTING, 1), (job_pb2.COMPLETED, 1),
                          (job_pb2.FAILED, 1)]
    # the guest sees COMPLETED; the agent then says FAILED
    client_wait = ferry_driver.mirror_job.run

    def run_then_fail(a, spec):
        client_wait(a, spec)
        raise ferry_driver.mirror_job.MirrorFailed('late failure')
    with mock.patch.object(ferry_driver.mirror_job, 'run', run_then_fail):
        swap(drv, FakeGuest(agent.agent))
    assert NEW in drv._host.write_instance_config.call_args[0][0]


def test_unreachable_agent_raises_rebase_failed(drv):
    set_ferry(agent_address='127.0.0.1:9', rpc_timeout=2)
    with mock.patch('ferry_agent_client.client._RETRY_PAUSE', 0.01):
        with pytest.raises(exception.VolumeRebaseFailed) as err:
            swap(drv, FakeGuest(mock.Mock(jobs={})))
    assert 'unreachable' in str(err.value)


def test_options_are_registered_in_the_ferry_group():
    assert cfg.CONF.ferry.agent_address
    names = {o.name for o in ferry_driver.options.FERRY_OPTS}
    assert {'agent_address', 'tls_cert', 'tls_key', 'tls_ca', 'bandwidth',
            'swap_timeout', 'write_blocking'} <= names


def test_unreadable_live_disk_after_a_failure_still_rolls_back(agent, drv):
    agent.agent.script = [(job_pb2.SYNCING, 1), (job_pb2.FAILED, 1)]
    guest = FakeGuest(agent.agent)
    calls = []

    def get_disk(dev):
        calls.append(dev)
        if len(calls) > 1:      # Nova's own lookup passes, ours fails
            raise RuntimeError('domain is gone')
        return FakeGuest.get_disk(guest, dev)
    guest.get_disk = get_disk
    with pytest.raises(exception.VolumeRebaseFailed):
        swap(drv, guest)
    drv._host.write_instance_config.assert_not_called()


def test_copy_engine_nova_hands_the_copy_to_novas_own_code(agent, drv):
    set_ferry(copy_engine='nova')
    guest = FakeGuest(agent.agent)
    with mock.patch('nova.virt.libvirt.driver.LibvirtDriver._swap_volume'
                    ) as stock:
        swap(drv, guest)

    stock.assert_called_once()
    assert stock.call_args[0][1] == 'vdb'
    assert mirror_requests(agent) == []     # the agent is not asked


def test_copy_engine_rejects_unknown_values():
    with pytest.raises(ValueError):
        cfg.CONF.set_override('copy_engine', 'qemu', group='ferry')
