"""Builders for the Nova tests."""

import uuid
from unittest import mock

from oslo_config import cfg

from nova import objects

objects.register_all()

from nova.virt.libvirt import config as vconfig  # noqa: E402

from ferry_nova import options  # noqa: E402

cfg.CONF([], project='nova', default_config_files=[])

OLD = 'volumes-a/volume-11111111-1111-4111-8111-111111111111'
NEW = 'volumes-b/volume-22222222-2222-4222-8222-222222222222'


def connection_info(name):
    return {'driver_volume_type': 'rbd',
            'serial': name.rsplit('volume-', 1)[1],
            'data': {'name': name, 'hosts': ['127.0.0.1'], 'ports': ['6789'],
                     'auth_enabled': False, 'cluster_name': 'ceph',
                     'volume_id': name.rsplit('volume-', 1)[1]}}


def rbd_disk(name, dev='vdb'):
    disk = vconfig.LibvirtConfigGuestDisk()
    disk.source_type = 'network'
    disk.source_protocol = 'rbd'
    disk.source_name = name
    disk.target_dev = dev
    disk.target_bus = 'virtio'
    return disk


def instance(instance_uuid=None):
    return objects.Instance(
        uuid=instance_uuid or str(uuid.uuid4()), host='compute-1',
        flavor=objects.Flavor(extra_specs={}, vcpus=1, memory_mb=512),
        system_metadata={}, image_ref='')


class FakeGuest:
    """The libvirt guest as Nova's Guest exposes it; its vdb follows the
    agent: it names the new volume once the fake job has COMPLETED."""

    def __init__(self, agent, pivots=True):
        self.uuid = str(uuid.uuid4())
        self.agent = agent
        self.pivots = pivots
        self.block_device = mock.Mock()
        self.undefined = False

    def _pivoted(self):
        from ferry_agent_client.proto import job_pb2
        return self.pivots and any(j.state == job_pb2.COMPLETED
                                   for j in self.agent.jobs.values())

    def get_disk(self, dev):
        return rbd_disk(NEW if self._pivoted() else OLD, dev) \
            if dev == 'vdb' else None

    def get_block_device(self, dev):
        return self.block_device

    def get_xml_desc(self, dump_inactive=False, dump_sensitive=False):
        return '<domain><name>%s</name>%s</domain>' % (
            self.uuid, self.get_disk('vdb').to_xml())

    def delete_configuration(self, *a):   # stock Nova's undefine
        self.undefined = True

    def has_persistent_configuration(self):
        return True


def set_ferry(**values):
    for name, value in values.items():
        cfg.CONF.set_override(name, value, group=options.GROUP)


def ferry_driver():
    from ferry_nova import driver
    return driver
