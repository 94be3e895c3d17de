"""AgentClient: start, watch, get and cancel jobs on one Ferry agent.

Plain blocking calls. Under eventlet (cinder-volume, nova-compute) gRPC
streams hang once the process is monkey-patched, while unary calls work, also
from eventlet's native thread pool: such callers pass ``invoke=tpool.execute``
so no call blocks the hub, and wait with ``poll_interval`` (GetJob polling)
instead of the WatchJob stream.
"""

import logging
import time

import grpc

from ferry_agent_client import channel as channel_mod
from ferry_agent_client import errors
from ferry_agent_client.proto import agent_pb2
from ferry_agent_client.proto import agent_pb2_grpc
from ferry_agent_client.proto import job_pb2
from ferry_agent_client.proto import state_name
from ferry_agent_client.proto import TERMINAL_STATES

LOG = logging.getLogger(__name__)

_START_RETRIES = 3          # resends of one start after UNAVAILABLE
_MAX_ATTEMPTS = 50          # distinct request ids tried by start_fresh
_RETRY_PAUSE = 1.0          # seconds between resends / re-watches


class AgentClient:
    """One agent, one channel. Use as a context manager or call close()."""

    def __init__(self, settings, rpc_timeout=30.0, channel=None,
                 sleep=time.sleep, clock=time.monotonic, invoke=None):
        self.address = settings.address
        # Reopened after a lost connection only when we opened it ourselves.
        self._settings = None if channel else settings
        self._channel = channel or channel_mod.open_channel(settings)
        self._stub = agent_pb2_grpc.FerryAgentStub(self._channel)
        self._rpc_timeout = rpc_timeout
        self._sleep = sleep
        self._clock = clock
        self._invoke = invoke or (lambda fn, *a, **kw: fn(*a, **kw))

    def close(self):
        self._channel.close()

    def _reopen(self):
        """A fresh channel after the agent was lost. A channel that saw the
        agent go away kept failing its TLS handshakes for 70-140 s after the
        agent was back (grpcio 1.51, lab: cinder-volume saw a resumed job's end
        54 s late, once 12 min late), while a new channel connected at once."""
        if self._settings is None:
            return
        # The new channel first: if it cannot be made (e.g. a TLS file being
        # rotated), the old one stays usable, for the retry and for a cancel.
        try:
            channel = channel_mod.open_channel(self._settings)
        except (ValueError, OSError) as e:
            LOG.warning('cannot open a new channel to agent %s (%s); keeping '
                        'the old one', self.address, e)
            return
        old, self._channel = self._channel, channel
        self._stub = agent_pb2_grpc.FerryAgentStub(channel)
        old.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- unary calls --------------------------------------------------------

    def _call(self, what, method, request, timeout=None):
        try:
            return self._invoke(method, request,
                                timeout=timeout or self._rpc_timeout)
        except grpc.RpcError as e:
            raise errors.from_rpc_error(e, self.address, what) from None

    def capabilities(self):
        return self._call('GetCapabilities', self._stub.GetCapabilities,
                          agent_pb2.GetCapabilitiesRequest())

    def get_job(self, job_id):
        return self._call('GetJob', self._stub.GetJob,
                          agent_pb2.GetJobRequest(job_id=job_id))

    def list_jobs(self, labels=None, states=()):
        """Jobs carrying all these labels (and in these states, if any)."""
        return self._call('ListJobs', self._stub.ListJobs,
                          agent_pb2.ListJobsRequest(labels=labels or {},
                                                    states=states)).jobs

    def cancel_job(self, job_id):
        """Abandons the job's destination; the source is never touched."""
        return self._call('CancelJob', self._stub.CancelJob,
                          agent_pb2.CancelJobRequest(job_id=job_id))

    def pivot_job(self, job_id):
        """Switches a READY live mirror's guest to the destination.

        Returns the job (PIVOTING); wait for COMPLETED. FAILED_PRECONDITION
        when the job is not a live mirror or not READY.
        """
        return self._call('PivotJob', self._stub.PivotJob,
                          agent_pb2.PivotJobRequest(job_id=job_id))

    def start_copy(self, request):
        return self._start('StartCopy', self._stub.StartCopy, request)[0]

    def start_live_mirror(self, request):
        return self._start('StartLiveMirror', self._stub.StartLiveMirror,
                           request)[0]

    def _start(self, what, method, request):
        """(job, resent): resends the same request id while UNAVAILABLE."""
        for resend in range(_START_RETRIES + 1):
            try:
                return self._call(what, method, request), resend > 0
            except errors.AgentError as e:
                if not e.retryable or resend == _START_RETRIES:
                    raise
                LOG.warning('%s %s: %s; resending the same request',
                            what, request.request_id, e.message)
                self._sleep(_RETRY_PAUSE)

    # -- starting a job that is new for this move -----------------------------

    def start_fresh_copy(self, build_request):
        return self._start_fresh('StartCopy', self._stub.StartCopy,
                                 build_request)

    def start_fresh_live_mirror(self, build_request):
        return self._start_fresh('StartLiveMirror',
                                 self._stub.StartLiveMirror, build_request)

    def _start_fresh(self, what, method, build_request):
        """Starts build_request(attempt) for attempt 0, 1, ... until a live job.

        Request ids are deterministic per move and attempt. A job that has
        already ended when we first ask for it belongs to an earlier try of
        the same move (its destination may be gone since): it is never
        reused, the next attempt id is tried. A job found only after a resend
        is ours even if it has ended meanwhile.
        """
        for attempt in range(_MAX_ATTEMPTS):
            request = build_request(attempt)
            try:
                job, resent = self._start(what, method, request)
            except errors.AgentError as e:
                if e.code != 'ALREADY_EXISTS':
                    raise
                LOG.info('%s %s is taken by a different request; trying '
                         'the next attempt id', what, request.request_id)
                continue
            if job.state in TERMINAL_STATES and not resent:
                LOG.info('%s %s: job %s from an earlier try already ended '
                         '(%s); trying the next attempt id', what,
                         request.request_id, job.id, state_name(job.state))
                continue
            return job
        raise errors.AgentError(
            'RESOURCE_EXHAUSTED', '%s: %d earlier tries of this move are '
            'recorded on agent %s; remove old jobs or check the agent'
            % (what, _MAX_ATTEMPTS, self.address))

    # -- waiting -----------------------------------------------------------

    def wait(self, job_id, timeout, on_update=None, poll_interval=None):
        """Returns the job once it ends; AgentTimeout after ``timeout`` s.

        Streams WatchJob by default. With ``poll_interval`` it polls GetJob
        instead: each call is short, which suits eventlet services where a
        long native stream would block the hub. Connection losses are retried
        until the deadline; the job keeps running on the agent meanwhile.
        """
        deadline = self._clock() + timeout
        last = None
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise errors.AgentTimeout(
                    'job %s on agent %s did not end within %ss (last state %s)'
                    % (job_id, self.address, timeout,
                       state_name(last.state) if last else 'unknown'))
            try:
                if poll_interval:
                    job = self._poll_once(job_id, remaining, on_update)
                else:
                    job = self._watch_stream(job_id, remaining, on_update)
            except errors.AgentError as e:
                # A call cut by its own deadline (slow agent, or the last
                # sliver of our budget) is retried like a lost connection;
                # the loop ends with AgentTimeout at the overall deadline.
                if not (e.retryable or e.code == 'DEADLINE_EXCEEDED'):
                    raise
                LOG.warning('lost agent %s while waiting for job %s: %s',
                            self.address, job_id, e.message)
                if e.retryable:
                    self._reopen()
                job = None
            if job is not None:
                last = job
                if job.state in TERMINAL_STATES:
                    return job
            pause = poll_interval if poll_interval else _RETRY_PAUSE
            self._sleep(max(0.0, min(pause, deadline - self._clock())))

    def _poll_once(self, job_id, remaining, on_update):
        job = self._call('GetJob', self._stub.GetJob,
                         agent_pb2.GetJobRequest(job_id=job_id),
                         timeout=min(self._rpc_timeout, remaining))
        if on_update:
            on_update(job)
        return job

    def _watch_stream(self, job_id, remaining, on_update):
        job = None
        try:
            for job in self._stub.WatchJob(
                    agent_pb2.WatchJobRequest(job_id=job_id),
                    timeout=remaining):
                if on_update:
                    on_update(job)
                if job.state in TERMINAL_STATES:
                    return job
        except grpc.RpcError as e:
            if e.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                return job
            raise errors.from_rpc_error(e, self.address, 'WatchJob') from None
        return job


def describe(job):
    """One log line: state, phase progress, rate, ETA (no secrets, no paths)."""
    p = job.progress
    parts = [state_name(job.state)]
    if p.bytes_total:
        parts.append('%.1f%% of %d MiB' % (100.0 * p.bytes_done / p.bytes_total,
                                           p.bytes_total >> 20))
    if p.rate_bytes_per_sec:
        parts.append('%.1f MiB/s' % (p.rate_bytes_per_sec / 1048576.0))
    if p.dirty_bytes:
        parts.append('%d MiB dirty' % (p.dirty_bytes >> 20))
    if p.eta_seconds >= 0 and job.state not in TERMINAL_STATES:
        parts.append('ETA %ds' % p.eta_seconds)
    if job.state == job_pb2.QUEUED and job.queued_reason:
        parts.append('queued: %s' % job.queued_reason)
    if job.state == job_pb2.FAILED and job.error.code:
        parts.append('%s: %s' % (job.error.code, job.error.message))
    return ', '.join(parts)
