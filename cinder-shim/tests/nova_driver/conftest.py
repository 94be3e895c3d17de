"""Nova tests: the real LibvirtDriver code from python3-nova, libvirt guest
and host objects mocked, the agent faked on 127.0.0.1."""

import pytest
from oslo_config import cfg


@pytest.fixture(autouse=True)
def _no_ferry_overrides_leak():
    """Every test starts from nova.conf's defaults: a test that points
    [ferry] at its own agent must not change what the next test reads
    (the lab swap test once left its agent's port for the options test)."""
    yield
    cfg.CONF.reset()
