"""Runs one Ferry live mirror with pivot, for Nova's swap flow, to its end.

Knows the agent and the job states; knows nothing of Nova's objects. Pivot
is requested only here, inside Nova's swap_volume (DESIGN rule 4).
"""

import dataclasses
import logging

from ferry_agent_client import errors
from ferry_agent_client import progress
from ferry_agent_client import request_ids
from ferry_agent_client.proto import agent_pb2
from ferry_agent_client.proto import job_pb2
from ferry_agent_client.proto import state_name
from ferry_agent_client.proto import VOLUME_LABEL  # noqa: F401 (re-exported)

LOG = logging.getLogger(__name__)

MIB = 1 << 20


@dataclasses.dataclass(frozen=True)
class MirrorSpec:
    domain: str             # libvirt domain uuid
    disk_target: str        # e.g. "vdb"
    destination_xml: str    # the new volume's <disk>, built by Nova
    destination_key: str    # identifies the new volume (source name/path)
    options: job_pb2.LiveMirrorOptions
    labels: dict            # volume ids, instance
    timeout: float
    poll_interval: float
    progress_interval: float


class MirrorFailed(Exception):
    """The mirror did not complete; the message says why and what to do."""


def options_from(conf):
    """LiveMirrorOptions from the [ferry] section; pivot always on."""
    return job_pb2.LiveMirrorOptions(
        bandwidth_bytes_per_sec=conf.bandwidth * MIB,
        granularity=conf.granularity,
        buffer_size=conf.buffer_size,
        convergence=job_pb2.ConvergencePolicy(
            ready_timeout_seconds=conf.ready_timeout,
            raise_bandwidth=conf.raise_bandwidth,
            write_blocking=conf.write_blocking,
            throttle_guest=conf.throttle_guest),
        pivot=True,                 # we are inside Nova's swap flow
        create_destination=False)   # Cinder created the new volume


def build_request(spec, attempt):
    return agent_pb2.StartLiveMirrorRequest(
        request_id=request_ids.request_id(
            'nova-swap', spec.domain, spec.disk_target, spec.destination_key,
            attempt=attempt),
        domain=spec.domain,
        disk_target=spec.disk_target,
        destination_xml=spec.destination_xml,
        options=spec.options,
        labels=dict(spec.labels, origin='ferry_nova'))


def run(agent, spec):
    """Returns the COMPLETED (pivoted) job, or raises MirrorFailed."""
    try:
        job = agent.start_fresh_live_mirror(lambda n: build_request(spec, n))
    except errors.AgentError as e:
        raise MirrorFailed('the agent did not start the mirror: %s' % e) from e
    log_progress = progress.ProgressLog(
        LOG, 'Ferry swap of %s on instance %s' % (spec.disk_target, spec.domain),
        spec.progress_interval)
    try:
        final = agent.wait(job.id, spec.timeout, on_update=log_progress,
                           poll_interval=spec.poll_interval)
    except errors.AgentError as e:
        _abandon(agent, job.id)
        raise MirrorFailed('job %s did not end (%s); it was cancelled, the '
                           'guest keeps its old volume' % (job.id, e)) from e
    if final.state != job_pb2.COMPLETED:
        detail = ('%s: %s' % (final.error.code, final.error.message)
                  if final.error.code else state_name(final.state))
        raise MirrorFailed('job %s ended %s' % (final.id, detail))
    return final


def _abandon(agent, job_id):
    try:
        agent.cancel_job(job_id)
    except errors.AgentError as e:
        LOG.error('Ferry job %s could not be cancelled (%s): cancel it on '
                  'the agent; never pivot it by hand', job_id, e)
