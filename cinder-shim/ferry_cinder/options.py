"""Ferry's options for a Cinder RBD backend, registered the oslo.config way.

Set them in the backend's section of cinder.conf (like ``rbd_pool``); they
are also registered in [backend_defaults], as Cinder's own drivers do.
"""

from oslo_config import cfg

from cinder.volume import configuration

from ferry_agent_client import options as agent_options

PREFIX = 'ferry_'

FERRY_OPTS = agent_options.connection_opts(
    PREFIX,
    agent_address_help='host:port of the Ferry agent that copies this '
                       'backend\'s volumes. Unset: Ferry is off and '
                       'migrations use Cinder\'s generic path.') + [
    cfg.StrOpt('ferry_cluster_id',
               help='Id of this backend\'s Ceph cluster in the agent\'s '
                    'configuration. Reported in location_info so other '
                    'Ferry backends can name it. Unset: Ferry is off.'),
    cfg.DictOpt('ferry_cluster_fsids', default={},
                help='fsid:cluster_id pairs naming destination clusters '
                     'whose backends do not report a Ferry cluster id '
                     '(stock RBD backends).'),
    agent_options.bandwidth_opt(PREFIX, 'migration copy'),
    cfg.IntOpt('ferry_migration_timeout', default=86400, min=1,
               help='Seconds a migration copy may take before it is '
                    'cancelled (the destination is abandoned, the source '
                    'kept) and the migration fails.'),
] + agent_options.polling_opts(PREFIX)

cfg.CONF.register_opts(FERRY_OPTS, group=configuration.SHARED_CONF_GROUP)


def list_opts():
    """For oslo-config-generator."""
    return [(configuration.SHARED_CONF_GROUP, FERRY_OPTS)]
