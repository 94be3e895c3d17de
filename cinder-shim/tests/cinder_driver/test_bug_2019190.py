"""Cinder bug 2019190: during retype an attached volume has status 'retyping'.

The stock RBDDriver.migrate_volume decides "in use" from ``status`` only, so
it copies such a volume to the new pool and deletes the source under the
running guest. FerryRBDDriver decides from the attachments and refuses.
"""

from unittest import mock

from cinder.volume.drivers import rbd

from cinder_helpers import attached_retyping_volume
from cinder_helpers import FSID_A
from cinder_helpers import make_driver
from cinder_helpers import rbd_host
from cinder_helpers import stock_location
from ferry_cinder.driver import FerryRBDDriver

# Same cluster, another pool: the case where the stock driver copies.
DEST = rbd_host(stock_location(FSID_A, 'volumes-b'))


@mock.patch('os_brick.initiator.linuxrbd.rbd')
@mock.patch('os_brick.initiator.linuxrbd.RBDClient')
@mock.patch('cinder.volume.drivers.rbd.RBDVolumeProxy')
def test_stock_driver_copies_and_deletes_an_attached_retyping_volume(
        proxy_cls, client_cls, _rbd, ctx):
    stock = make_driver(rbd.RBDDriver)
    client_cls.return_value.__enter__.return_value.client.get_fsid \
        .return_value = FSID_A
    proxy = proxy_cls.return_value
    proxy.__enter__.return_value = proxy
    vol = attached_retyping_volume(ctx)

    assert stock.migrate_volume(ctx, vol, DEST) == (True, None)

    proxy.copy.assert_called_once()           # copied while the guest writes
    stock.delete_volume.assert_called_once_with(vol)  # and source deleted


@mock.patch('os_brick.initiator.linuxrbd.rbd')
@mock.patch('os_brick.initiator.linuxrbd.RBDClient')
@mock.patch('cinder.volume.drivers.rbd.RBDVolumeProxy')
def test_ferry_driver_refuses_the_same_volume_and_touches_nothing(
        proxy_cls, client_cls, _rbd, ctx):
    ferry = make_driver(FerryRBDDriver, ferry_agent_address='127.0.0.1:1',
                        ferry_cluster_id='lab-a')
    ferry._agent_client = mock.Mock()
    vol = attached_retyping_volume(ctx)

    assert ferry.migrate_volume(ctx, vol, DEST) == (False, None)

    ferry._agent_client.assert_not_called()
    ferry.delete_volume.assert_not_called()
    proxy_cls.assert_not_called()
    client_cls.assert_not_called()
