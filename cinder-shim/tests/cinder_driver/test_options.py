"""Options are oslo.config options, listed by get_driver_options, and the
reported location_info carries the Ferry cluster id."""

from unittest import mock

from oslo_config import cfg

from cinder.volume.drivers import rbd

from cinder_helpers import FSID_A
from cinder_helpers import make_driver
from cinder_helpers import rbd_host
from cinder_helpers import volume
from ferry_cinder import location
from ferry_cinder import options
from ferry_cinder.driver import FerryRBDDriver

FERRY_NAMES = {'ferry_agent_address', 'ferry_tls_cert', 'ferry_tls_key',
               'ferry_tls_ca', 'ferry_tls_server_name', 'ferry_cluster_id',
               'ferry_cluster_fsids', 'ferry_bandwidth',
               'ferry_migration_timeout', 'ferry_rpc_timeout',
               'ferry_poll_interval', 'ferry_progress_interval'}


def test_driver_options_list_ferry_and_rbd_options():
    names = {o.name for o in FerryRBDDriver.get_driver_options()}
    assert FERRY_NAMES <= names
    assert {'rbd_pool', 'rbd_ceph_conf', 'rbd_user'} <= names
    assert all(isinstance(o, cfg.Opt) for o in options.FERRY_OPTS)


def test_options_are_registered_in_backend_defaults():
    assert cfg.CONF.backend_defaults.ferry_bandwidth == 0
    assert cfg.CONF.backend_defaults.ferry_migration_timeout == 86400


def test_tls_key_is_secret():
    [key] = [o for o in options.FERRY_OPTS if o.name == 'ferry_tls_key']
    assert key.secret


def test_backend_section_values_reach_the_driver():
    drv = make_driver(FerryRBDDriver, ferry_bandwidth=123,
                      ferry_cluster_fsids={'f': 'lab-f'})
    assert drv.configuration.ferry_bandwidth == 123
    assert drv.configuration.ferry_cluster_fsids == {'f': 'lab-f'}


def _stats(drv):
    drv._get_pool_stats = mock.Mock(return_value=(1.0, 2.0))
    drv._supports_qos = mock.Mock(return_value=False)
    drv._update_volume_stats()
    return drv._stats


def test_location_info_carries_ferry_cluster_id():
    drv = make_driver(FerryRBDDriver, ferry_cluster_id='lab-a')
    loc = location.parse(_stats(drv)['location_info'])
    assert (loc.fsid, loc.pool, loc.ferry_cluster_id) == (FSID_A, 'volumes-a',
                                                          'lab-a')


def test_location_info_is_stock_without_cluster_id():
    drv = make_driver(FerryRBDDriver)
    stock = make_driver(rbd.RBDDriver)
    assert _stats(drv)['location_info'] == _stats(stock)['location_info']


def test_stock_driver_falls_back_to_generic_for_a_ferry_location(ctx):
    """A stock source cannot parse the six-field form: it refuses, so its own
    (bug 2019190) copy never runs against a Ferry backend."""
    ferry = make_driver(FerryRBDDriver, ferry_cluster_id='lab-a')
    ferry.configuration.rbd_pool = 'volumes-b'
    stock = make_driver(rbd.RBDDriver)
    host = rbd_host(_stats(ferry)['location_info'])
    assert stock.migrate_volume(ctx, volume(ctx), host) == (False, None)


def test_location_parse_accepts_stock_and_ferry_forms():
    stock = location.parse('ceph:/etc/ceph/c.conf:%s:cinder:vols' % FSID_A)
    assert stock.ferry_cluster_id is None and stock.pool == 'vols'
    ferry = location.parse('ceph:/etc/ceph/c.conf:%s:cinder:vols:lab' % FSID_A)
    assert ferry.ferry_cluster_id == 'lab'
    for bad in (None, '', 'a:b', 'a:b:c:d:e:f:g', 'a:b::d:e', 'a:b:c:d:'):
        assert location.parse(bad) is None, bad
