"""Run by test_eventlet.py in a subprocess: Nova's swap_volume over
FerryLibvirtDriver in a process monkey-patched by eventlet, as nova-compute
runs, against the fake agent at argv[1]. Prints one JSON line."""

import eventlet

eventlet.monkey_patch()

import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from unittest import mock  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE), os.path.dirname(os.path.dirname(
    HERE))]

from nova import context  # noqa: E402

import nova_helpers as h  # noqa: E402
from ferry_nova import driver as ferry_driver  # noqa: E402


class PivotedGuest(h.FakeGuest):
    """The agent runs in another process: the guest pivots once asked."""

    def _pivoted(self):
        return self.agent.asked


def main(address):
    ticks = []

    def heartbeat():
        while True:
            ticks.append(1)
            eventlet.sleep(0.01)

    eventlet.spawn(heartbeat)
    h.set_ferry(agent_address=address, poll_interval=0.05, rpc_timeout=5)
    drv = ferry_driver.FerryLibvirtDriver(mock.Mock(), False)
    drv._host = mock.Mock()
    drv._host.find_secret.return_value = None
    drv._get_volume_encryption = mock.Mock(return_value={})
    probe = mock.Mock(asked=False)
    guest = PivotedGuest(probe)
    drv._host.get_guest.return_value = guest
    real_run = ferry_driver.mirror_job.run

    def run(agent, spec):
        job = real_run(agent, spec)
        probe.asked = True
        return job
    ferry_driver.mirror_job.run = run
    drv.swap_volume(context.get_admin_context(), h.connection_info(h.OLD),
                    h.connection_info(h.NEW), h.instance(guest.uuid), '/dev/vdb',
                    0)
    xml = drv._host.write_instance_config.call_args[0][0]
    print(json.dumps({'persisted_new': h.NEW in xml, 'ticks': len(ticks)}))


if __name__ == '__main__':
    main(sys.argv[1])
