"""A fake Ferry agent: a real grpcio server on 127.0.0.1 speaking ferry.v1.

It follows the contract's rules that the shims rely on: StartCopy is
idempotent on request_id (same id and request: same job; same id, different
request: ALREADY_EXISTS), WatchJob streams the job at each change until it
ends, CancelJob abandons the destination. Each job runs a scripted list of
(state, bytes_done) steps; tests choose the script and can inject errors.
"""

from concurrent import futures
import threading
import time

import grpc

from ferry_agent_client.proto import agent_pb2
from ferry_agent_client.proto import agent_pb2_grpc
from ferry_agent_client.proto import job_pb2
from ferry_agent_client.proto import TERMINAL_STATES

COPY_SCRIPT = [(job_pb2.PREPARING, 0), (job_pb2.SYNCING, 512),
               (job_pb2.MERGING, 1024), (job_pb2.VERIFYING, 1024),
               (job_pb2.COMMITTING, 1024), (job_pb2.COMPLETED, 1024)]


class FakeAgent(agent_pb2_grpc.FerryAgentServicer):

    def __init__(self, script=None, total=1024):
        self.script = list(script or COPY_SCRIPT)
        self.total = total
        self.jobs = {}           # job id -> Job
        self.requests = {}       # request id -> serialized request
        self.calls = []          # (method, request) in arrival order
        self.fail_next = {}      # method -> (grpc.StatusCode, details)
        self.final_error = None  # JobError for a scripted FAILED end
        self.get_delay = 0.0     # seconds GetJob takes to answer
        self.hold = threading.Event()  # cleared: jobs stop advancing
        self.hold.set()
        self._lock = threading.Lock()

    # -- helpers --
    def _maybe_fail(self, method, context):
        err = self.fail_next.pop(method, None)
        if err:
            context.abort(err[0], err[1])

    def _start(self, method, request, context, make_job):
        self.calls.append((method, request))
        self._maybe_fail(method, context)
        if not request.request_id:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          'request_id is required')
        with self._lock:
            known = self.requests.get(request.request_id)
            if known is not None:
                if known != request.SerializeToString(deterministic=True):
                    context.abort(grpc.StatusCode.ALREADY_EXISTS,
                                  'request_id %s was used for a different '
                                  'request' % request.request_id)
                return next(j for j in self.jobs.values()
                            if j.request_id == request.request_id)
            self.requests[request.request_id] = request.SerializeToString(
                deterministic=True)
            job = make_job('job-%d' % (len(self.jobs) + 1))
            job.request_id = request.request_id
            job.state = job_pb2.QUEUED
            job.labels.update(request.labels)
            self.jobs[job.id] = job
            return job_pb2.Job.FromString(job.SerializeToString())

    def advance(self, job):
        """Moves a job one scripted step; returns False once it has ended."""
        if job.state in TERMINAL_STATES:
            return False
        done = [s for s, _ in self.script]
        idx = done.index(job.state) + 1 if job.state in done else 0
        state, done_bytes = self.script[idx]
        job.state = state
        job.progress.bytes_done = done_bytes
        job.progress.bytes_total = self.total
        job.progress.rate_bytes_per_sec = 1 << 20
        if state == job_pb2.FAILED and self.final_error is not None:
            job.error.CopyFrom(self.final_error)
        return True

    # -- RPCs --
    def StartCopy(self, request, context):
        return self._start('StartCopy', request, context,
                           lambda jid: job_pb2.Job(
                               id=jid, kind=job_pb2.COPY,
                               source=request.source,
                               destination=request.destination,
                               copy_options=request.options))

    def StartLiveMirror(self, request, context):
        return self._start('StartLiveMirror', request, context,
                           lambda jid: job_pb2.Job(
                               id=jid, kind=job_pb2.LIVE_MIRROR,
                               domain=request.domain,
                               disk_target=request.disk_target,
                               destination=request.destination,
                               mirror_options=request.options))

    def _job(self, job_id, context):
        job = self.jobs.get(job_id)
        if job is None:
            context.abort(grpc.StatusCode.NOT_FOUND,
                          'job %s: no such job on this agent' % job_id)
        return job

    def GetJob(self, request, context):
        self.calls.append(('GetJob', request))
        self._maybe_fail('GetJob', context)
        time.sleep(self.get_delay)
        job = self._job(request.job_id, context)
        if self.hold.is_set():
            self.advance(job)
        return job

    def WatchJob(self, request, context):
        self.calls.append(('WatchJob', request))
        self._maybe_fail('WatchJob', context)
        job = self._job(request.job_id, context)
        yield job
        while self.hold.wait(timeout=10) and context.is_active():
            if not self.advance(job):
                return
            yield job

    def CancelJob(self, request, context):
        self.calls.append(('CancelJob', request))
        self._maybe_fail('CancelJob', context)
        job = self._job(request.job_id, context)
        if job.state not in TERMINAL_STATES:
            job.state = job_pb2.CANCELLED
        return job

    def PivotJob(self, request, context):
        self.calls.append(('PivotJob', request))
        self._maybe_fail('PivotJob', context)
        job = self._job(request.job_id, context)
        if job.state != job_pb2.READY:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                          'job %s is not READY: pivot only a live mirror in '
                          'sync' % request.job_id)
        job.state = job_pb2.PIVOTING
        return job

    def GetCapabilities(self, request, context):
        self.calls.append(('GetCapabilities', request))
        return agent_pb2.Capabilities(version='fake', host='127.0.0.1')

    def methods(self):
        return [m for m, _ in self.calls]


class FakeAgentServer:
    """Starts the fake on 127.0.0.1:<free port>; stop() shuts it down."""

    def __init__(self, agent):
        self.agent = agent
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        agent_pb2_grpc.add_FerryAgentServicer_to_server(agent, self.server)
        port = self.server.add_insecure_port('127.0.0.1:0')
        self.address = '127.0.0.1:%d' % port
        self.server.start()

    def stop(self):
        self.agent.hold.set()
        self.server.stop(grace=None).wait(5)
