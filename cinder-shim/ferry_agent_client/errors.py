"""Agent errors, converted from gRPC status in one place."""

import grpc

# Worth retrying the same call (the request ids make starts idempotent).
_RETRYABLE = frozenset([grpc.StatusCode.UNAVAILABLE])


class AgentError(Exception):
    """The agent refused or failed a call.

    ``code`` is the gRPC status code name (e.g. ``'FAILED_PRECONDITION'``);
    the message is the agent's description, which names what to fix.
    """

    def __init__(self, code, message, retryable=False):
        super().__init__('%s: %s' % (code, message))
        self.code = code
        self.message = message
        self.retryable = retryable


class AgentTimeout(AgentError):
    """A job did not end within the caller's time budget."""

    def __init__(self, message):
        super().__init__('DEADLINE_EXCEEDED', message, retryable=False)


def from_rpc_error(error, address, what):
    """AgentError for a grpc.RpcError raised by ``what`` against ``address``."""
    code = error.code() if callable(getattr(error, 'code', None)) else None
    details = error.details() if callable(
        getattr(error, 'details', None)) else str(error)
    if code is None:
        return AgentError('UNKNOWN', '%s on agent %s: %s'
                          % (what, address, details))
    if code == grpc.StatusCode.UNAVAILABLE:
        details = ('agent unreachable (%s); check that ferry-agent runs '
                   'there and the TLS files match' % details)
    return AgentError(code.name, '%s on agent %s: %s' % (what, address,
                                                          details),
                      retryable=code in _RETRYABLE)
