"""Shared by all test directories: import paths and the fake agent fixture.

Run each directory in its own process (run-tests.sh does): Cinder and Nova
register clashing oslo.config options, so they cannot share one.
"""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from fake_agent import FakeAgent, FakeAgentServer  # noqa: E402


@pytest.fixture
def agent():
    """A fake agent on 127.0.0.1 in this (not monkey-patched) process."""
    server = FakeAgentServer(FakeAgent())
    yield server
    server.stop()
