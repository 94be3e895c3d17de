"""retype never reports success when data would have to move (DESIGN rule 6)."""

from unittest import mock

import pytest

from cinder.volume.drivers import rbd

from cinder_helpers import FSID_A
from cinder_helpers import FSID_B
from cinder_helpers import make_driver
from cinder_helpers import rbd_host
from cinder_helpers import stock_location
from cinder_helpers import volume
from ferry_cinder.driver import FerryRBDDriver

QOS_ONLY = {'qos_specs': {'consumer': ('back-end', 'back-end'),
                          'total_iops_sec': ('100', '200')},
            'extra_specs': {}, 'encryption': {}}
OTHER_POOL = rbd_host(stock_location(FSID_A, 'volumes-b'))


def _quiet_qos(drv):
    drv._supports_qos = mock.Mock(return_value=False)
    drv._setup_volume = mock.Mock(return_value={})
    return drv


def test_stock_retype_reports_success_for_a_pool_change(ctx):
    stock = _quiet_qos(make_driver(rbd.RBDDriver))
    retyped, _ = stock.retype(ctx, volume(ctx), mock.Mock(), QOS_ONLY,
                              OTHER_POOL)
    assert retyped is True   # the bug: nothing moved


@pytest.mark.parametrize('host', [
    OTHER_POOL,                                                  # pool
    rbd_host(stock_location(FSID_A, 'volumes-a'),
             host='node@ceph-b#ceph-b'),                         # backend
    rbd_host(stock_location(FSID_B, 'volumes-a'),
             host='node@ceph-a#ceph-a'),                         # cluster
    rbd_host(stock_location(FSID_A, 'volumes-b'),
             host='node@ceph-a#ceph-a'),                         # rados pool
    {'host': 'node@ceph-a#ceph-a',
     'capabilities': {'location_info': 'garbage'}},              # unreadable
    None,                                                        # unknown
])
def test_ferry_retype_that_would_move_data_returns_false(ctx, host):
    drv = _quiet_qos(make_driver(FerryRBDDriver))
    with mock.patch.object(rbd.RBDDriver, 'retype') as stock_retype:
        assert drv.retype(ctx, volume(ctx), mock.Mock(), QOS_ONLY,
                          host) is False
    stock_retype.assert_not_called()
    drv._setup_volume.assert_not_called()


def test_backend_name_change_in_extra_specs_returns_false(ctx):
    drv = _quiet_qos(make_driver(FerryRBDDriver))
    diff = {'extra_specs': {'volume_backend_name': ('ceph-a', 'ceph-b')}}
    same = rbd_host(stock_location(FSID_A, 'volumes-a'),
                    host='node@ceph-a#ceph-a')
    assert drv.retype(ctx, volume(ctx), mock.Mock(), diff, same) is False


def test_qos_only_retype_on_the_same_pool_is_done_in_place(ctx):
    drv = _quiet_qos(make_driver(FerryRBDDriver))
    same = rbd_host(stock_location(FSID_A, 'volumes-a'),
                    host='node@ceph-a#ceph-a')
    new_type = mock.Mock()
    vol = volume(ctx)
    retyped, update = drv.retype(ctx, vol, new_type, QOS_ONLY, same)
    assert retyped is True
    drv._setup_volume.assert_called_once_with(vol, new_type)
