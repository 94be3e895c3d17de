"""Runs one Ferry copy job for a Cinder migration and waits for its end.

Knows the agent and the job states; knows nothing of Cinder's objects. The
caller deletes the source only when ``run`` returned, which it does only for
a COMPLETED job (destination synced, verified and committed: DESIGN rule 1).
"""

import dataclasses
import logging

from ferry_agent_client import errors
from ferry_agent_client import progress
from ferry_agent_client import request_ids
from ferry_agent_client.proto import agent_pb2
from ferry_agent_client.proto import job_pb2
from ferry_agent_client.proto import rbd_endpoint
from ferry_agent_client.proto import state_name
from ferry_agent_client.proto import VOLUME_LABEL

LOG = logging.getLogger(__name__)

MIB = 1 << 20


@dataclasses.dataclass(frozen=True)
class RbdRef:
    cluster_id: str
    pool: str
    image: str

    def endpoint(self):
        return rbd_endpoint(self.cluster_id, self.pool, self.image)

    def __str__(self):
        return '%s/%s/%s' % (self.cluster_id, self.pool, self.image)


@dataclasses.dataclass(frozen=True)
class CopySpec:
    volume_id: str
    source: RbdRef
    destination: RbdRef
    bandwidth_mib: int
    timeout: float
    poll_interval: float
    progress_interval: float


class CopyFailed(Exception):
    """The copy did not complete; the message says why and what to do."""


def build_request(spec, attempt):
    options = job_pb2.CopyOptions(
        bandwidth_bytes_per_sec=spec.bandwidth_mib * MIB,
        verify=True,               # never skip verification before commit
        keep_sparse=True,
        create_destination=True,
        delete_source=False)       # Cinder deletes it, after COMPLETED
    return agent_pb2.StartCopyRequest(
        request_id=request_ids.request_id(
            'cinder-migrate', spec.volume_id, spec.source, spec.destination,
            attempt=attempt),
        source=spec.source.endpoint(),
        destination=spec.destination.endpoint(),
        options=options,
        labels={VOLUME_LABEL: spec.volume_id,
                'origin': 'ferry_cinder'})


def run(agent, spec):
    """Starts the copy and returns the COMPLETED job, or raises CopyFailed."""
    try:
        job = agent.start_fresh_copy(lambda n: build_request(spec, n))
    except errors.AgentError as e:
        raise CopyFailed('the agent did not start the copy: %s' % e) from e
    LOG.info('Ferry migration of volume %s: job %s started on agent %s',
             spec.volume_id, job.id, agent.address)
    log_progress = progress.ProgressLog(
        LOG, 'Ferry migration of volume %s (%s -> %s)' % (
            spec.volume_id, spec.source, spec.destination),
        spec.progress_interval)
    try:
        final = agent.wait(job.id, spec.timeout, on_update=log_progress,
                           poll_interval=spec.poll_interval)
    except errors.AgentTimeout as e:
        _abandon(agent, job.id)
        raise CopyFailed(
            'job %s did not finish within ferry_migration_timeout=%ss and '
            'was cancelled: raise the timeout or ferry_bandwidth, or check '
            'the agent\'s host budget (%s)' % (job.id, spec.timeout, e)) from e
    except errors.AgentError as e:
        _abandon(agent, job.id)
        raise CopyFailed('lost track of job %s: %s' % (job.id, e)) from e
    if final.state != job_pb2.COMPLETED:
        raise CopyFailed(_failure_reason(final))
    _check_completed_job(final, spec)
    return final


def _check_completed_job(job, spec):
    """The job that completed is the copy we asked for, verified.

    The source is deleted on the strength of this job: a job that copied
    elsewhere or skipped verification must not be taken for ours.
    """
    if job.HasField('destination'):
        got = job.destination.rbd
        got_ref = RbdRef(got.cluster_id, got.pool, got.image)
        if got_ref != spec.destination or got.namespace:
            raise CopyFailed('job %s completed a copy to %s, not to %s; the '
                             'source is kept' % (job.id, got_ref,
                                                 spec.destination))
    if (job.HasField('copy_options') and
            job.copy_options.HasField('verify') and
            not job.copy_options.verify):
        raise CopyFailed('job %s completed without verification; the source '
                         'is kept' % job.id)


def _failure_reason(job):
    if job.state == job_pb2.FAILED:
        return 'job %s failed: %s: %s' % (
            job.id, job.error.code or 'UNKNOWN',
            job.error.message or 'no detail; see the agent\'s log')
    return 'job %s ended %s (cancelled on the agent?)' % (
        job.id, state_name(job.state))


def _abandon(agent, job_id):
    """Cancel = abandon the destination (DESIGN rule 5); best effort."""
    try:
        agent.cancel_job(job_id)
        LOG.warning('Ferry job %s cancelled: its destination is abandoned, '
                    'the source is untouched', job_id)
    except errors.AgentError as e:
        LOG.error('Ferry job %s could not be cancelled (%s): cancel it on '
                  'the agent before retrying the migration', job_id, e)
