"""nova.conf [ferry]: the option names and defaults nova-compute reads."""

from oslo_config import cfg

from ferry_nova import options

NAMES = ['agent_address', 'tls_cert', 'tls_key', 'tls_ca', 'tls_server_name',
         'copy_engine', 'bandwidth', 'granularity', 'buffer_size',
         'ready_timeout', 'raise_bandwidth', 'write_blocking',
         'throttle_guest', 'swap_timeout', 'rpc_timeout', 'poll_interval',
         'progress_interval']


def test_option_names_in_order_and_only_the_key_secret():
    assert [o.name for o in options.FERRY_OPTS] == NAMES
    assert [o.name for o in options.FERRY_OPTS if o.secret] == ['tls_key']


def test_registered_in_the_ferry_group_with_their_defaults():
    ferry = cfg.CONF[options.GROUP]
    assert ferry.agent_address == '127.0.0.1:7420'
    assert ferry.copy_engine == 'ferry'
    assert (ferry.bandwidth, ferry.swap_timeout, ferry.rpc_timeout) == (
        0, 86400, 30)
    assert (ferry.poll_interval, ferry.progress_interval) == (2.0, 30.0)
