"""The driver under eventlet, as in cinder-volume.

gRPC streams hang in a monkey-patched process; the driver therefore polls
with unary calls run on eventlet's native thread pool. This runs a whole
migration in a monkey-patched subprocess against the fake agent here.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def test_migration_completes_in_a_monkey_patched_process(agent):
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, 'eventlet_migrate.py'),
         agent.address], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report['result'] == [True, None]
    assert report['deleted'] == 1
    assert report['ticks'] > 5          # green threads ran during the copy
    assert 'GetJob' in agent.agent.methods()
    assert 'WatchJob' not in agent.agent.methods()
