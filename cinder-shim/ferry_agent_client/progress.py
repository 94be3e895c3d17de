"""The progress lines both drivers log while they wait for a job."""

import time

from ferry_agent_client import client as client_mod


class ProgressLog:
    """An on_update callback for AgentClient.wait: logs every state change
    at once and progress at most every ``interval`` seconds, so that a long
    move shows in the service's log without flooding it."""

    def __init__(self, log, what, interval, clock=time.monotonic):
        self._log, self._what = log, what
        self._interval, self._clock = interval, clock
        self._state = self._last = None

    def __call__(self, job):
        now = self._clock()
        changed = job.state != self._state
        due = self._last is None or now - self._last >= self._interval
        if changed or due:
            self._log.info('%s, job %s: %s', self._what, job.id,
                           client_mod.describe(job))
            self._state, self._last = job.state, now
