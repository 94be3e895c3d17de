"""The oslo.config options both shims take to reach and poll the agent.

One list so that names, types, bounds, secrecy and help stay the same in
cinder.conf and nova.conf. ferry_cinder registers them with the ``ferry_``
prefix in a backend section (``ferry_agent_address``); ferry_nova without a
prefix in [ferry] (``agent_address``). Imported by the shims only: the client
itself does not need oslo.config.
"""

from oslo_config import cfg

from ferry_agent_client.channel import ChannelSettings


def connection_opts(prefix='', agent_address_default=None,
                    agent_address_help='host:port of the Ferry agent.'):
    """Where the agent is and the mutual-TLS files to reach it."""
    return [
        cfg.StrOpt(prefix + 'agent_address', default=agent_address_default,
                   help=agent_address_help),
        cfg.StrOpt(prefix + 'tls_cert',
                   help='PEM client certificate for mutual TLS with the '
                        'agent. The three TLS files are required unless the '
                        'agent is on loopback.'),
        cfg.StrOpt(prefix + 'tls_key', secret=True,
                   help='PEM private key of %stls_cert.' % prefix),
        cfg.StrOpt(prefix + 'tls_ca',
                   help='PEM CA certificate that signed the agent\'s '
                        'certificate.'),
        cfg.StrOpt(prefix + 'tls_server_name',
                   help='Name to check in the agent\'s certificate when it '
                        'differs from the host in %sagent_address.' % prefix),
    ]


def bandwidth_opt(prefix, what):
    """The cap of one job; ``what`` names it ("migration copy")."""
    return cfg.IntOpt(prefix + 'bandwidth', default=0, min=0,
                      help='Cap of one %s in MiB/s; 0: only the agent\'s '
                           'host budget applies.' % what)


def polling_opts(prefix=''):
    """How long one call may take, and how a running job is followed."""
    return [
        cfg.IntOpt(prefix + 'rpc_timeout', default=30, min=1,
                   help='Seconds for one call to the agent.'),
        cfg.FloatOpt(prefix + 'poll_interval', default=2.0, min=0.01,
                     help='Seconds between two progress queries to the '
                          'agent.'),
        cfg.FloatOpt(prefix + 'progress_interval', default=30.0, min=0,
                     help='Seconds between two progress lines in the log; '
                          'state changes are always logged.'),
    ]


def channel_settings(conf, prefix=''):
    """The ChannelSettings of the connection options read from ``conf`` (a
    Cinder backend configuration or an oslo.config group: by attribute)."""
    def opt(name):
        return getattr(conf, prefix + name)
    return ChannelSettings(
        address=opt('agent_address'), cert_file=opt('tls_cert'),
        key_file=opt('tls_key'), ca_file=opt('tls_ca'),
        server_name=opt('tls_server_name'))
