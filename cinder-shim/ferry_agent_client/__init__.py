"""Client of the Ferry agent's gRPC API, shared by ferry_cinder and ferry_nova.

The generated stubs live in ``_gen`` (made by ``scripts/gen-stubs.sh``, not
committed); import them through :mod:`ferry_agent_client.proto`.
"""

from ferry_agent_client.channel import ChannelSettings  # noqa: F401
from ferry_agent_client.client import AgentClient  # noqa: F401
from ferry_agent_client.errors import AgentError  # noqa: F401
from ferry_agent_client.errors import AgentTimeout  # noqa: F401
