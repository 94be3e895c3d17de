"""One test per sign of attachment; status alone never makes a volume detached."""

from unittest import mock

import pytest

from cinder import objects

from cinder_helpers import attachment
from cinder_helpers import FSID_A
from cinder_helpers import make_driver
from cinder_helpers import rbd_host
from cinder_helpers import stock_location
from cinder_helpers import volume
from ferry_cinder import attachment as attachment_mod
from ferry_cinder.driver import FerryRBDDriver


def _with_attachment(vol, status='attached'):
    vol.volume_attachment = objects.VolumeAttachmentList(
        objects=[attachment(vol, status)])
    return vol


def test_detached_available_volume_has_no_evidence(ctx):
    assert attachment_mod.attachment_evidence(volume(ctx)) is None


@pytest.mark.parametrize('status', ['retyping', 'maintenance', 'available'])
def test_attachment_record_alone_means_attached(ctx, status):
    vol = _with_attachment(volume(ctx, status=status))
    assert 'attachment' in attachment_mod.attachment_evidence(vol)


def test_reserved_attachment_means_attached(ctx):
    vol = _with_attachment(volume(ctx), status='reserved')
    assert attachment_mod.attachment_evidence(vol)


@pytest.mark.parametrize('attach_status',
                         ['attached', 'attaching', 'error_attaching',
                          'error_detaching', 'reserved'])
def test_attach_status_alone_means_attached(ctx, attach_status):
    vol = volume(ctx, status='retyping', attach_status=attach_status)
    assert attach_status in attachment_mod.attachment_evidence(vol)


def test_previous_status_in_use_alone_means_attached(ctx):
    vol = volume(ctx, status='retyping', previous_status='in-use')
    assert 'previous_status' in attachment_mod.attachment_evidence(vol)


def test_unreadable_attachments_count_as_attached(ctx):
    vol = mock.Mock(attach_status='detached', previous_status=None,
                    status='retyping')
    type(vol).volume_attachment = mock.PropertyMock(
        side_effect=RuntimeError('no database'))
    assert 'could not be read' in attachment_mod.attachment_evidence(vol)


@pytest.mark.parametrize('updates', [
    {'status': 'retyping', 'previous_status': 'in-use'},
    {'status': 'maintenance', 'attach_status': 'attached'},
    {'status': 'in-use', 'attach_status': 'attached'},
])
def test_migrate_volume_refuses_every_attached_shape(ctx, updates):
    drv = make_driver(FerryRBDDriver, ferry_agent_address='127.0.0.1:1',
                      ferry_cluster_id='lab-a')
    drv._agent_client = mock.Mock()
    dest = rbd_host(stock_location(FSID_A, 'volumes-b'))
    assert drv.migrate_volume(ctx, volume(ctx, **updates), dest) == (False,
                                                                     None)
    drv._agent_client.assert_not_called()
    drv.delete_volume.assert_not_called()
