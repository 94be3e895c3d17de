"""Ferry's options for a Cinder RBD backend, registered the oslo.config way.

Set them in the backend's section of cinder.conf (like ``rbd_pool``); they
are also registered in [backend_defaults], as Cinder's own drivers do.
"""

from oslo_config import cfg

from cinder.volume import configuration

FERRY_OPTS = [
    cfg.StrOpt('ferry_agent_address',
               help='host:port of the Ferry agent that copies this '
                    'backend\'s volumes. Unset: Ferry is off and '
                    'migrations use Cinder\'s generic path.'),
    cfg.StrOpt('ferry_tls_cert',
               help='PEM client certificate for mutual TLS with the agent. '
                    'The three TLS files are required unless the agent is '
                    'on loopback.'),
    cfg.StrOpt('ferry_tls_key', secret=True,
               help='PEM private key of ferry_tls_cert.'),
    cfg.StrOpt('ferry_tls_ca',
               help='PEM CA certificate that signed the agent\'s '
                    'certificate.'),
    cfg.StrOpt('ferry_tls_server_name',
               help='Name to check in the agent\'s certificate when it '
                    'differs from the host in ferry_agent_address.'),
    cfg.StrOpt('ferry_cluster_id',
               help='Id of this backend\'s Ceph cluster in the agent\'s '
                    'configuration. Reported in location_info so other '
                    'Ferry backends can name it. Unset: Ferry is off.'),
    cfg.DictOpt('ferry_cluster_fsids', default={},
                help='fsid:cluster_id pairs naming destination clusters '
                     'whose backends do not report a Ferry cluster id '
                     '(stock RBD backends).'),
    cfg.IntOpt('ferry_bandwidth', default=0, min=0,
               help='Cap of one migration copy in MiB/s; 0: only the '
                    'agent\'s host budget applies.'),
    cfg.IntOpt('ferry_migration_timeout', default=86400, min=1,
               help='Seconds a migration copy may take before it is '
                    'cancelled (the destination is abandoned, the source '
                    'kept) and the migration fails.'),
    cfg.IntOpt('ferry_rpc_timeout', default=30, min=1,
               help='Seconds for one call to the agent.'),
    cfg.FloatOpt('ferry_poll_interval', default=2.0, min=0.01,
                 help='Seconds between two progress queries to the agent.'),
    cfg.FloatOpt('ferry_progress_interval', default=30.0, min=0,
                 help='Seconds between two progress lines in the log; '
                      'state changes are always logged.'),
]

cfg.CONF.register_opts(FERRY_OPTS, group=configuration.SHARED_CONF_GROUP)


def list_opts():
    """For oslo-config-generator."""
    return [(configuration.SHARED_CONF_GROUP, FERRY_OPTS)]
