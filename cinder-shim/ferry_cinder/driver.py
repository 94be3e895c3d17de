"""FerryRBDDriver: Cinder's RBD driver whose migrations are copied by Ferry.

Detached volumes move through a Ferry agent copy job (sparse, rate-limited,
verified before commit) to another pool of the same cluster or to another
cluster; the source is deleted only after the job COMPLETED. Attached
volumes are refused with (False, None) so Cinder's generic migration runs
Nova's swap-volume (DESIGN rules 1-3, 6).
"""

import logging

from eventlet import patcher
from eventlet import tpool

from cinder import exception
from cinder.volume.drivers import rbd
from cinder.volume import volume_utils

from ferry_agent_client import AgentClient
from ferry_agent_client import options as agent_options
from ferry_cinder import attachment
from ferry_cinder import copy_job
from ferry_cinder import location
from ferry_cinder import options

LOG = logging.getLogger(__name__)

REFUSE = (False, None)


class FerryRBDDriver(rbd.RBDDriver):

    VERSION = '0.1.0'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.configuration.append_config_values(options.FERRY_OPTS)

    @classmethod
    def get_driver_options(cls):
        return super().get_driver_options() + options.FERRY_OPTS

    def _update_volume_stats(self):
        super()._update_volume_stats()
        cluster_id = self.configuration.ferry_cluster_id
        loc = self._stats.get('location_info')
        if cluster_id and loc:
            self._stats['location_info'] = location.extend(loc, cluster_id)

    # -- migration ------------------------------------------------------------

    def migrate_volume(self, context, volume, host):
        evidence = attachment.attachment_evidence(volume)
        if evidence:
            LOG.info('Volume %s is attached (%s): leaving it to Cinder\'s '
                     'generic migration, which moves it with Nova '
                     'swap-volume.', volume.id, evidence)
            return REFUSE
        if volume.status not in ('available', 'retyping', 'maintenance'):
            LOG.debug('Volume %s has status %s: not migrated by Ferry.',
                      volume.id, volume.status)
            return REFUSE
        target = self._ferry_target(volume, host)
        if target is None:
            return REFUSE
        if target == 'same-place':
            LOG.info('Volume %s: destination is the same cluster and pool, '
                     'nothing to copy.', volume.id)
            return (True, None)
        self._copy_then_delete_source(volume, target)
        # The image keeps its name (volume-<name_id>) and the destination
        # backend builds connections from its own cluster and pool, so the
        # host that Cinder's manager sets is all that changes.
        return (True, None)

    def _ferry_target(self, volume, host):
        """copy_job.RbdRef of the destination, 'same-place', or None (refuse)."""
        if not self._ferry_enabled():
            LOG.info('Ferry is off for backend %s (ferry_agent_address or '
                     'ferry_cluster_id unset): generic migration.',
                     self._backend_name)
            return None
        caps = (host or {}).get('capabilities') or {}
        if caps.get('storage_protocol') != self.STORAGE_PROTOCOL:
            LOG.debug('Destination is not RBD: generic migration.')
            return None
        dest = location.parse(caps.get('location_info'))
        if dest is None:
            LOG.info('Destination location_info %r is not an RBD location: '
                     'generic migration.', caps.get('location_info'))
            return None
        fsid = self._get_fsid()
        if dest.fsid == fsid and dest.pool == self.configuration.rbd_pool:
            return 'same-place'
        cluster_id = self._cluster_id_of(dest, fsid)
        if cluster_id is None:
            LOG.warning('Destination cluster %s is unknown to Ferry: add '
                        '"%s:<agent cluster id>" to ferry_cluster_fsids or '
                        'set ferry_cluster_id on the destination backend. '
                        'Using generic migration.', dest.fsid, dest.fsid)
            return None
        return copy_job.RbdRef(cluster_id, dest.pool, volume.name)

    def _cluster_id_of(self, dest, own_fsid):
        if dest.fsid == own_fsid:
            return self.configuration.ferry_cluster_id
        known = self.configuration.ferry_cluster_fsids or {}
        return known.get(dest.fsid) or dest.ferry_cluster_id

    def _ferry_enabled(self):
        return bool(self.configuration.ferry_agent_address and
                    self.configuration.ferry_cluster_id)

    def _copy_then_delete_source(self, volume, destination):
        conf = self.configuration
        spec = copy_job.CopySpec(
            volume_id=volume.id,
            source=copy_job.RbdRef(conf.ferry_cluster_id, conf.rbd_pool,
                                   volume.name),
            destination=destination,
            bandwidth_mib=conf.ferry_bandwidth,
            timeout=conf.ferry_migration_timeout,
            poll_interval=conf.ferry_poll_interval,
            progress_interval=conf.ferry_progress_interval)
        try:
            with self._agent_client() as agent:
                job = copy_job.run(agent, spec)
        except (copy_job.CopyFailed, ValueError) as e:
            raise exception.VolumeMigrationFailed(
                reason='Ferry could not copy volume %s to %s: %s. The source '
                       'is untouched and the volume stays on this backend.'
                       % (volume.id, destination, e)) from e
        LOG.info('Ferry job %s copied volume %s to %s (verified, committed);'
                 ' deleting the source image %s.', job.id, volume.id,
                 destination, spec.source)
        try:
            self.delete_volume(volume)
        except Exception as e:
            raise exception.VolumeMigrationFailed(
                reason='volume %s was copied to %s by Ferry job %s, but '
                       'deleting the source %s failed (%s). The volume stays '
                       'on the source; delete the copy %s before retrying.'
                       % (volume.id, destination, job.id, spec.source, e,
                          destination)) from e
        LOG.info('Ferry migration of volume %s to %s done.', volume.id,
                 destination)

    def _agent_client(self):
        """A client for this backend's agent (tests replace this method)."""
        conf = self.configuration
        settings = agent_options.channel_settings(conf, options.PREFIX)
        # cinder-volume runs under eventlet: run each gRPC call on a native
        # thread so a slow agent never stalls the service's green threads.
        invoke = tpool.execute if patcher.is_monkey_patched('thread') else None
        return AgentClient(settings, rpc_timeout=conf.ferry_rpc_timeout,
                           invoke=invoke)

    # -- retype -------------------------------------------------------------

    def retype(self, context, volume, new_type, diff, host):
        """Retypes in place only when no data has to move (DESIGN rule 6).

        The stock driver returns True whatever the destination, so Cinder
        records a pool change that never happened. Here a change of backend,
        pool or cluster returns False: Cinder then migrates the volume (with
        a migration policy of on-demand) or refuses the retype.
        """
        reason = self._retype_needs_move(volume, diff, host)
        if reason:
            LOG.info('Retype of volume %s to %s needs a migration (%s).',
                     volume.id, getattr(new_type, 'name', new_type), reason)
            return False
        return super().retype(context, volume, new_type, diff, host)

    def _retype_needs_move(self, volume, diff, host):
        if not host or not host.get('host'):
            return 'destination host unknown'
        for level in ('backend', 'pool'):
            here = volume_utils.extract_host(volume.host, level)
            there = volume_utils.extract_host(host['host'], level)
            if here != there:
                return '%s %s -> %s' % (level, here, there)
        specs = (diff or {}).get('extra_specs') or {}
        if 'volume_backend_name' in specs:
            return 'volume_backend_name changes'
        caps = host.get('capabilities') or {}
        if 'location_info' in caps:
            dest = location.parse(caps['location_info'])
            if dest is None:
                return 'destination location_info unreadable'
            if dest.pool != self.configuration.rbd_pool:
                return 'pool %s -> %s' % (self.configuration.rbd_pool,
                                          dest.pool)
            if dest.fsid != self._get_fsid():
                return 'cluster %s -> %s' % (self._get_fsid(), dest.fsid)
        return None
