"""The agent options both shims share: one list, prefixed or not."""

import types

from oslo_config import cfg

from ferry_agent_client import options


def test_connection_options_take_the_prefix_and_keep_the_key_secret():
    opts = options.connection_opts('ferry_', agent_address_help='where')
    assert [o.name for o in opts] == [
        'ferry_agent_address', 'ferry_tls_cert', 'ferry_tls_key',
        'ferry_tls_ca', 'ferry_tls_server_name']
    assert [o.name for o in opts if o.secret] == ['ferry_tls_key']
    assert 'ferry_tls_cert' in opts[2].help
    assert opts[0].default is None and opts[0].help == 'where'


def test_polling_and_bandwidth_options_have_the_same_bounds_everywhere():
    bare = {o.name: o for o in options.polling_opts()}
    prefixed = {o.name: o for o in options.polling_opts('ferry_')}
    assert set(bare) == {'rpc_timeout', 'poll_interval', 'progress_interval'}
    for name, opt in bare.items():
        twin = prefixed['ferry_' + name]
        assert (opt.default, opt.type.min) == (twin.default, twin.type.min)
    assert bare['rpc_timeout'].default == 30
    bw = options.bandwidth_opt('', 'live mirror')
    assert (bw.name, bw.default, bw.type.min) == ('bandwidth', 0, 0)
    assert 'live mirror' in bw.help


def test_channel_settings_read_the_options_by_attribute():
    conf = types.SimpleNamespace(
        ferry_agent_address='10.0.0.5:7420', ferry_tls_cert='c.pem',
        ferry_tls_key='k.pem', ferry_tls_ca='ca.pem',
        ferry_tls_server_name='agent-1')
    s = options.channel_settings(conf, 'ferry_')
    assert (s.address, s.cert_file, s.key_file, s.ca_file, s.server_name) == (
        '10.0.0.5:7420', 'c.pem', 'k.pem', 'ca.pem', 'agent-1')


def test_channel_settings_from_a_registered_oslo_group():
    conf = cfg.ConfigOpts()
    conf.register_opts(options.connection_opts(
        agent_address_default='127.0.0.1:7420'), group='ferry')
    conf([])
    s = options.channel_settings(conf.ferry)
    assert s.address == '127.0.0.1:7420' and s.cert_file is None
