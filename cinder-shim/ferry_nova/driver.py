"""FerryLibvirtDriver: Nova's libvirt driver whose swap-volume copy is a
Ferry live mirror (bandwidth, convergence, progress, no undefine).

Only ``_swap_volume`` is replaced. Nova's ``swap_volume`` still checks
encryption, connects the new volume and builds its <disk> config with its
own volume drivers, disconnects the new volume when we raise
VolumeRebaseFailed (Cinder then rolls back), and the old one on success.
Unlike stock Nova the persistent domain is never undefined: the agent runs
libvirt's block copy as a transient job (DESIGN rule 7).
"""

import logging

from eventlet import patcher
from eventlet import tpool
from oslo_config import cfg
from oslo_utils import units

from nova import exception
from nova.virt.libvirt import driver as libvirt_driver

from ferry_agent_client import AgentClient
from ferry_agent_client import options as agent_options
from ferry_nova import mirror_job
from ferry_nova import options

LOG = logging.getLogger(__name__)
CONF = cfg.CONF


def _volume_id(connection_info):
    return (connection_info.get('data', {}).get('volume_id') or
            connection_info.get('serial') or '')


def source_key(disk):
    """What identifies a disk's backing volume in a LibvirtConfigGuestDisk."""
    return disk.source_name or disk.source_path or ''


class FerryLibvirtDriver(libvirt_driver.LibvirtDriver):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # (instance uuid, disk) -> job labels, from swap_volume to
        # _swap_volume; Nova holds the instance lock for a swap.
        self._ferry_labels = {}

    def swap_volume(self, context, old_connection_info, new_connection_info,
                    instance, mountpoint, resize_to):
        key = (instance.uuid, mountpoint.rpartition('/')[2])
        self._ferry_labels[key] = {
            mirror_job.VOLUME_LABEL: _volume_id(old_connection_info),
            'new_volume_id': _volume_id(new_connection_info),
            'instance_uuid': instance.uuid}
        try:
            return super().swap_volume(context, old_connection_info,
                                       new_connection_info, instance,
                                       mountpoint, resize_to)
        finally:
            self._ferry_labels.pop(key, None)

    def _swap_volume(self, guest, disk_dev, conf, resize_to,
                     hw_firmware_type):
        ferry = CONF[options.GROUP]
        if ferry.copy_engine == 'nova':
            LOG.warning('[ferry] copy_engine = nova: swapping %s with Nova\'s '
                        'own block copy (no convergence policy).', disk_dev)
            return super()._swap_volume(guest, disk_dev, conf, resize_to,
                                        hw_firmware_type)
        new_key = source_key(conf)
        spec = mirror_job.MirrorSpec(
            domain=guest.uuid, disk_target=disk_dev,
            destination_xml=conf.to_xml(), destination_key=new_key,
            options=mirror_job.options_from(ferry),
            labels=self._ferry_labels.get((guest.uuid, disk_dev), {}),
            timeout=ferry.swap_timeout, poll_interval=ferry.poll_interval,
            progress_interval=ferry.progress_interval)
        try:
            with self._ferry_agent() as agent:
                job = mirror_job.run(agent, spec)
        except (mirror_job.MirrorFailed, ValueError) as e:
            failure = e
        else:
            failure = None
        pivoted = self._disk_source_is(guest, disk_dev, new_key)
        if failure is not None and not pivoted:
            LOG.error('Ferry swap of %s to %s failed: %s', disk_dev, new_key,
                      failure)
            raise exception.VolumeRebaseFailed(
                reason='Ferry live mirror of %s failed: %s. The guest still '
                       'uses its old volume.' % (disk_dev, failure))
        if failure is not None:
            # The agent reported a failure after the pivot: the guest already
            # writes to the new volume, so rolling back would lose writes.
            LOG.warning('Ferry reported %s, but %s already uses %s: '
                        'completing the swap.', failure, disk_dev, new_key)
        else:
            LOG.info('Ferry job %s pivoted %s to %s.', job.id, disk_dev,
                     new_key)
        if resize_to:
            guest.get_block_device(disk_dev).resize(resize_to * units.Gi)
        # As Nova does: persist the live definition, which names the new
        # volume now.
        xml = guest.get_xml_desc(dump_inactive=False, dump_sensitive=True)
        self._host.write_instance_config(xml)

    @staticmethod
    def _disk_source_is(guest, disk_dev, key):
        try:
            disk = guest.get_disk(disk_dev)
        except Exception as e:
            LOG.warning('Cannot read disk %s of the live domain (%s): taking '
                        'it as not pivoted.', disk_dev, e)
            return False
        return disk is not None and bool(key) and source_key(disk) == key

    def _ferry_agent(self):
        ferry = CONF[options.GROUP]
        settings = agent_options.channel_settings(ferry)
        # nova-compute runs under eventlet: gRPC calls go to native threads.
        invoke = tpool.execute if patcher.is_monkey_patched('thread') else None
        return AgentClient(settings, rpc_timeout=ferry.rpc_timeout,
                           invoke=invoke)
