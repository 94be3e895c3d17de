"""Ferry's options for nova-compute, in the [ferry] section of nova.conf."""

from oslo_config import cfg

from ferry_agent_client import options as agent_options

GROUP = 'ferry'

FERRY_OPTS = agent_options.connection_opts(
    agent_address_default='127.0.0.1:7420',
    agent_address_help='host:port of the Ferry agent on this compute '
                       'node.') + [
    cfg.StrOpt('copy_engine', default='ferry', choices=[
                   ('ferry', 'a Ferry live mirror (bandwidth, convergence '
                    'policy, progress, persistent domain kept)'),
                   ('nova', 'Nova\'s own LibvirtDriver._swap_volume (plain '
                    'blockCopy, domain undefined during the copy, no '
                    'timeout); for comparisons on the same stack only')],
               help='Who copies the disk in swap_volume.'),
    agent_options.bandwidth_opt('', 'live mirror'),
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
] + agent_options.polling_opts()

cfg.CONF.register_opts(FERRY_OPTS, group=GROUP)


def list_opts():
    """For oslo-config-generator."""
    return [(GROUP, FERRY_OPTS)]
