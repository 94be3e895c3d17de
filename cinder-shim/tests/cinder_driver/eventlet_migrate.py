"""Run by test_eventlet.py in a subprocess: a migration as cinder-volume runs
it, in a process monkey-patched by eventlet, against the agent at argv[1].

Prints one JSON line: the driver's result, whether the source was deleted,
and how many times a green thread got to run meanwhile (proof that the
gRPC calls did not block eventlet's hub).
"""

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE), os.path.dirname(os.path.dirname(
    HERE))]

from cinder import context  # noqa: E402

import cinder_helpers as h  # noqa: E402
from ferry_cinder.driver import FerryRBDDriver  # noqa: E402


def main(address):
    ticks = []

    def heartbeat():
        while True:
            ticks.append(1)
            eventlet.sleep(0.01)

    eventlet.spawn(heartbeat)
    drv = h.make_driver(FerryRBDDriver, ferry_agent_address=address,
                        ferry_cluster_id='lab-a', ferry_poll_interval=0.05,
                        ferry_rpc_timeout=5)
    ctx = context.get_admin_context()
    result = drv.migrate_volume(ctx, h.volume(ctx),
                                h.rbd_host(h.stock_location(h.FSID_A, 'b')))
    print(json.dumps({'result': list(result),
                      'deleted': drv.delete_volume.call_count,
                      'ticks': len(ticks)}))


if __name__ == '__main__':
    main(sys.argv[1])
