"""FerryLibvirtDriver under eventlet, as in nova-compute (see eventlet_swap.py)."""

import json
import os
import subprocess
import sys

from ferry_agent_client.proto import job_pb2

HERE = os.path.dirname(os.path.abspath(__file__))


def test_swap_completes_in_a_monkey_patched_process(agent):
    agent.agent.script = [(job_pb2.SYNCING, 1), (job_pb2.READY, 2),
                          (job_pb2.PIVOTING, 2), (job_pb2.COMPLETED, 2)]
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, 'eventlet_swap.py'),
         agent.address], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report['persisted_new'] is True
    assert report['ticks'] > 5
    assert 'StartLiveMirror' in agent.agent.methods()
    assert 'WatchJob' not in agent.agent.methods()
