"""Ferry's options for nova-compute, in the [ferry] section of nova.conf."""

from oslo_config import cfg

GROUP = 'ferry'

FERRY_OPTS = [
    cfg.StrOpt('agent_address', default='127.0.0.1:7420',
               help='host:port of the Ferry agent on this compute node.'),
    cfg.StrOpt('tls_cert',
               help='PEM client certificate for mutual TLS with the agent '
                    '(the three TLS files are required unless the agent is '
                    'on loopback).'),
    cfg.StrOpt('tls_key', secret=True, help='PEM private key of tls_cert.'),
    cfg.StrOpt('tls_ca', help='PEM CA certificate of the agent.'),
    cfg.StrOpt('tls_server_name',
               help='Name to check in the agent\'s certificate.'),
    cfg.StrOpt('copy_engine', default='ferry', choices=[
                   ('ferry', 'a Ferry live mirror (bandwidth, convergence '
                    'policy, progress, persistent domain kept)'),
                   ('nova', 'Nova\'s own LibvirtDriver._swap_volume (plain '
                    'blockCopy, domain undefined during the copy, no '
                    'timeout); for comparisons on the same stack only')],
               help='Who copies the disk in swap_volume.'),
    cfg.IntOpt('bandwidth', default=0, min=0,
               help='Cap of one live mirror in MiB/s; 0: the agent\'s host '
                    'budget only.'),
    cfg.IntOpt('granularity', default=0, min=0,
               help='Mirror granularity in bytes (power of two, 512 B to '
                    '64 MiB); 0: QEMU\'s default.'),
    cfg.IntOpt('buffer_size', default=0, min=0,
               help='Mirror buffer in bytes; 0: QEMU\'s default.'),
    cfg.IntOpt('ready_timeout', default=0, min=0,
               help='Seconds each convergence step may take to reach READY; '
                    '0: the agent\'s default.'),
    cfg.BoolOpt('raise_bandwidth', default=True,
                help='Convergence step 1: raise the cap up to the host '
                     'budget when the guest writes faster than the copy.'),
    cfg.BoolOpt('write_blocking', default=True,
                help='Convergence step 2: guest writes wait for both copies.'),
    cfg.BoolOpt('throttle_guest', default=False,
                help='Convergence step 3: cap the guest disk\'s I/O during '
                     'the mirror (restored afterwards).'),
    cfg.IntOpt('swap_timeout', default=86400, min=1,
               help='Seconds a swap may take before the mirror is cancelled '
                    '(the new volume is abandoned, the guest keeps the old '
                    'one) and the swap fails.'),
    cfg.IntOpt('rpc_timeout', default=30, min=1,
               help='Seconds for one call to the agent.'),
    cfg.FloatOpt('poll_interval', default=2.0, min=0.01,
                 help='Seconds between two progress queries to the agent.'),
    cfg.FloatOpt('progress_interval', default=30.0, min=0,
                 help='Seconds between two progress lines in the log.'),
]

cfg.CONF.register_opts(FERRY_OPTS, group=GROUP)


def list_opts():
    """For oslo-config-generator."""
    return [(GROUP, FERRY_OPTS)]
