"""ProgressLog: state changes at once, progress at most every interval."""

import logging

from ferry_agent_client import progress
from ferry_agent_client.proto import job_pb2


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def job(state, done):
    j = job_pb2.Job(id='j1', state=state)
    j.progress.bytes_done = done
    j.progress.bytes_total = 100
    return j


def test_logs_state_changes_at_once_and_progress_only_when_due(caplog):
    clock = Clock()
    log = progress.ProgressLog(logging.getLogger('t'), 'Ferry swap of vdb',
                               30, clock=clock)
    with caplog.at_level(logging.INFO, logger='t'):
        log(job(job_pb2.SYNCING, 10))      # first: logged
        clock.now += 10
        log(job(job_pb2.SYNCING, 20))      # same state, not due: quiet
        clock.now += 1
        log(job(job_pb2.READY, 100))       # state changed: logged
        clock.now += 29.5
        log(job(job_pb2.READY, 100))       # 29.5 s later: quiet
        clock.now += 0.5
        log(job(job_pb2.READY, 100))       # 30 s: due
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3, lines
    assert all(m.startswith('Ferry swap of vdb, job j1: ') for m in lines)
    assert 'SYNCING' in lines[0] and 'READY' in lines[1] and 'READY' in lines[2]
