"""Deterministic request ids: the same move asks for the same job.

The agent's StartCopy/StartLiveMirror are idempotent on request_id, so a call
retried after a lost response finds the job it already started instead of
starting a second copy onto the same destination.
"""

import uuid

# Fixed namespace for Ferry's request ids (uuid5 of the DNS name below).
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, 'request-ids.ferry.invalid')


def request_id(kind, *parts, attempt=0):
    """'kind-<uuid5>' from the parts that identify one move, plus an attempt.

    ``attempt`` distinguishes a new try of the same move after an earlier job
    for it ended (failed, cancelled, or completed long ago): that job must not
    be mistaken for the new one.
    """
    if not parts or any(p is None or p == '' for p in parts):
        raise ValueError('request id parts must be non-empty: %r' % (parts,))
    name = '\x1f'.join([kind] + [str(p) for p in parts] + [str(attempt)])
    return '%s-%s' % (kind, uuid.uuid5(_NAMESPACE, name))
