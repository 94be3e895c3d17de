"""Cinder tests: the real Cinder code from python3-cinder, a real oslo.config
backend section per driver, mocked rados/rbd modules, Volume objects built
without a database.

cinder.tests.unit is deliberately not imported: it monkey-patches the whole
process with eventlet, which would also patch the in-process fake agent.
The driver under eventlet is tested in a subprocess (test_eventlet.py).
"""

import uuid
from unittest import mock

from oslo_config import cfg

from cinder import objects

objects.register_all()

from cinder.volume import configuration  # noqa: E402
from cinder.volume import driver as volume_driver  # noqa: E402
from cinder.volume.drivers import rbd  # noqa: E402

from ferry_cinder import options  # noqa: E402

FSID_A = '11111111-aaaa-4aaa-8aaa-111111111111'
FSID_B = '22222222-bbbb-4bbb-8bbb-222222222222'
INSTANCE = '33333333-cccc-4ccc-8ccc-333333333333'

cfg.CONF([], project='cinder', default_config_files=[])


def backend_config(**overrides):
    """A Configuration for a fresh backend section with these values set."""
    group = 'ferry-test-%s' % uuid.uuid4().hex[:8]
    cfg.CONF.register_opts(volume_driver.volume_opts + rbd.RBD_OPTS +
                           options.FERRY_OPTS, group=group)
    values = {'rbd_pool': 'volumes-a', 'rbd_user': 'cinder',
              'rbd_ceph_conf': '/etc/ceph/a.conf', 'volume_backend_name':
              'ceph-a'}
    values.update(overrides)
    for name, value in values.items():
        cfg.CONF.set_override(name, value, group=group)
    return configuration.Configuration(volume_driver.volume_opts,
                                       config_group=group)


def make_driver(cls, fsid=FSID_A, **overrides):
    """cls(...) with mocked rados/rbd modules and this cluster fsid."""
    drv = cls(configuration=backend_config(**overrides),
              rados=mock.MagicMock(), rbd=mock.MagicMock(),
              execute=mock.Mock(return_value=('', '')))
    drv.set_initialized()
    drv._get_fsid = mock.Mock(return_value=fsid)
    drv.delete_volume = mock.Mock()
    return drv


def volume(ctx, **updates):
    """A Volume object as the manager hands it to the driver (no database)."""
    values = dict(id=str(uuid.uuid4()), host='node@ceph-a#ceph-a',
                  status='available', attach_status='detached', size=1,
                  previous_status=None, _name_id=None,
                  volume_attachment=objects.VolumeAttachmentList(objects=[]))
    values.update(updates)
    return objects.Volume(context=ctx, **values)


def attachment(vol, status='attached'):
    return objects.VolumeAttachment(
        id=str(uuid.uuid4()), volume_id=vol.id, instance_uuid=INSTANCE,
        attach_status=status, attach_mode='rw', mountpoint='/dev/vdb')


def attached_retyping_volume(ctx):
    """An in-use volume as Cinder hands it to migrate_volume during retype
    (Cinder bug 2019190): status 'retyping', but attached to an instance."""
    vol = volume(ctx, status='retyping', previous_status='in-use',
                 attach_status='attached')
    vol.volume_attachment = objects.VolumeAttachmentList(
        objects=[attachment(vol)])
    return vol


def rbd_host(location_info, host='node@ceph-b#ceph-b'):
    return {'host': host,
            'capabilities': {'storage_protocol': 'ceph',
                             'location_info': location_info}}


def stock_location(fsid, pool, cluster_name='ceph', conf='/etc/ceph/x.conf'):
    return '%s:%s:%s:cinder:%s' % (cluster_name, conf, fsid, pool)
