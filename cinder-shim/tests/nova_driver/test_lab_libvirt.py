"""FerryLibvirtDriver.swap_volume against a real libvirtd domain and a real
agent (FERRY_LAB=1): Nova's swap code builds the new disk, the agent mirrors
the domain's RBD disk from pool volumes-a to volumes-b and pivots. Afterwards
the live and the persistent definitions name the new image, the domain was
never undefined, and the new image holds the old one's data."""

import sys

import pytest

if 'cinder.volume' in sys.modules:
    pytest.skip('Cinder is loaded in this process: run tests/nova_driver on '
                'its own', allow_module_level=True)

import hashlib  # noqa: E402
import os  # noqa: E402
from unittest import mock  # noqa: E402

from nova import context  # noqa: E402
from nova import exception  # noqa: E402

from labs import ceph_cluster  # noqa: E402
from labs import LIBVIRT_LAB  # noqa: E402
from labs import libvirtd  # noqa: E402
from labs import requires_lab  # noqa: E402
from labs import run  # noqa: E402
import nova_helpers as h  # noqa: E402
from real_agent import agent_jar  # noqa: E402
from real_agent import RealAgent  # noqa: E402

pytestmark = requires_lab

OLD_IMG = 'volume-11111111-1111-4111-8111-111111111111'
NEW_IMG = 'volume-22222222-2222-4222-8222-222222222222'
SIZE = 16 << 20


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    agent_jar()
    libvirt = pytest.importorskip('libvirt')
    with ceph_cluster(tmp_path_factory.mktemp('ceph')) as ceph, \
            libvirtd(tmp_path_factory.mktemp('libvirt')) as (vdir, uri):
        agent = RealAgent(tmp_path_factory.mktemp('agent'), extra_yaml=(
            'clusters:\n  lab:\n    ceph_conf: %s\n    client_id: admin\n'
            'libvirt_uri: "%s"\n' % (ceph.conf, uri)))
        try:
            yield ceph, vdir, uri, agent, libvirt
        finally:
            agent.stop()


class LabHost:
    """The part of Nova's Host that swap_volume uses, on the lab libvirtd."""

    supports_amd_sev = False

    def __init__(self, conn, guest):
        self.conn, self.guest = conn, guest

    def get_guest(self, instance):
        return self.guest

    def write_instance_config(self, xml):
        return self.conn.defineXML(xml)

    def find_secret(self, usage_type, usage_id):
        return None


def test_swap_mirrors_and_pivots_a_running_domain(lab, tmp_path):
    from nova.virt.libvirt import guest as nova_guest
    ceph, vdir, uri, agent, libvirt = lab
    data = tmp_path / 'data.raw'
    data.write_bytes(os.urandom(SIZE))
    ceph.rbd('import', str(data), 'volumes-a/%s' % OLD_IMG)
    ceph.rbd('create', '--size', '16M', 'volumes-b/%s' % NEW_IMG)
    run(LIBVIRT_LAB, 'domain', vdir, 'shim-swap',
        'rbd:volumes-a/%s@127.0.0.1:%s' % (OLD_IMG, ceph.mon_port))
    conn = libvirt.open(uri)
    dom = conn.lookupByName('shim-swap')
    guest = nova_guest.Guest(dom)

    h.set_ferry(agent_address=agent.address, poll_interval=0.2,
                swap_timeout=300)
    drv = h.ferry_driver().FerryLibvirtDriver(mock.Mock(), False)
    drv._host = LabHost(conn, guest)
    drv._get_volume_encryption = mock.Mock(return_value={})
    new_ci = h.connection_info('volumes-b/%s' % NEW_IMG)
    new_ci['data']['ports'] = [ceph.mon_port]
    old_ci = h.connection_info('volumes-a/%s' % OLD_IMG)
    old_ci['data']['ports'] = [ceph.mon_port]
    inst = h.instance(dom.UUIDString())
    try:
        drv.swap_volume(context.get_admin_context(), old_ci, new_ci, inst,
                        '/dev/vdb', 0)
    except exception.VolumeRebaseFailed as e:
        if 'UNIMPLEMENTED' in str(e):
            pytest.skip('this agent build has no live mirror yet: %s' % e)
        raise

    assert dom.isPersistent()
    live = dom.XMLDesc(0)
    saved = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
    for xml in (live, saved):
        assert 'volumes-b/%s' % NEW_IMG in xml and OLD_IMG not in xml
    out = tmp_path / 'out.raw'
    ceph.rbd('export', 'volumes-b/%s' % NEW_IMG, str(out))
    assert hashlib.sha256(out.read_bytes()).hexdigest() == \
        hashlib.sha256(data.read_bytes()).hexdigest()
