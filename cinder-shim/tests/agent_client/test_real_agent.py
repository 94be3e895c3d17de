"""The generated Python stubs against the real Java agent on 127.0.0.1:
a file-to-file copy, idempotent starts, error status mapping, cancel, and
mutual TLS with an allowed and a refused client certificate."""

import os
import subprocess

import pytest

from ferry_agent_client import AgentClient
from ferry_agent_client import AgentError
from ferry_agent_client import ChannelSettings
from ferry_agent_client.proto import agent_pb2
from ferry_agent_client.proto import endpoint_pb2
from ferry_agent_client.proto import job_pb2
from real_agent import agent_jar
from real_agent import RealAgent

SIZE = 5 * 1024 * 1024 + 4097      # unaligned, with a hole in the middle


@pytest.fixture(scope='module')
def real(tmp_path_factory):
    agent_jar()
    agent = RealAgent(tmp_path_factory.mktemp('agent'))
    yield agent
    agent.stop()


@pytest.fixture
def client(real):
    with AgentClient(ChannelSettings(real.address), rpc_timeout=20) as c:
        yield c


def file_ep(path):
    return endpoint_pb2.Endpoint(file=endpoint_pb2.FileImage(path=path))


def write_source(real, name):
    path = os.path.join(real.images, name)
    with open(path, 'wb') as f:
        f.write(os.urandom(1 << 20))
        f.seek(3 << 20)
        f.write(os.urandom(SIZE - (3 << 20)))
    return path


def copy(rid, src, dst, **options):
    return agent_pb2.StartCopyRequest(
        request_id=rid, source=file_ep(src), destination=file_ep(dst),
        options=job_pb2.CopyOptions(create_destination=True, verify=True,
                                    **options))


def read(real, name):
    with open(os.path.join(real.images, name), 'rb') as f:
        return f.read()


def test_capabilities(client):
    caps = client.capabilities()
    assert caps.version and 'default' in caps.file_roots


@pytest.mark.parametrize('poll', [None, 0.05])
def test_copy_completes_and_the_data_is_equal(real, client, poll):
    name = 'src-%s.raw' % ('poll' if poll else 'watch')
    write_source(real, name)
    job = client.start_copy(copy('copy-' + name, name, name + '.copy'))
    seen = []
    final = client.wait(job.id, timeout=120, on_update=seen.append,
                        poll_interval=poll)
    assert final.state == job_pb2.COMPLETED, final.error
    # The stream shows every state; polling may miss short ones, but the
    # job's own event history records the verification.
    states = [j.state for j in seen] + [e.state for e in final.events]
    assert job_pb2.VERIFYING in states
    assert read(real, name + '.copy') == read(real, name)


def test_start_is_idempotent_on_request_id(real, client):
    write_source(real, 'idem.raw')
    first = client.start_copy(copy('idem', 'idem.raw', 'idem.copy'))
    again = client.start_copy(copy('idem', 'idem.raw', 'idem.copy'))
    assert again.id == first.id
    with pytest.raises(AgentError) as err:
        client.start_copy(copy('idem', 'idem.raw', 'other.copy'))
    assert err.value.code == 'ALREADY_EXISTS'
    client.wait(first.id, timeout=120)


def test_unknown_job_is_not_found(client):
    with pytest.raises(AgentError) as err:
        client.get_job('no-such-job')
    assert err.value.code == 'NOT_FOUND'


def test_missing_request_id_is_invalid_argument(client):
    with pytest.raises(AgentError) as err:
        client.start_copy(copy('', 'a.raw', 'b.raw'))
    assert err.value.code == 'INVALID_ARGUMENT'
    assert 'request_id' in err.value.message


def test_path_escaping_the_root_is_refused(client):
    with pytest.raises(AgentError) as err:
        client.start_copy(copy('escape', '../../etc/passwd', 'x.raw'))
    assert err.value.code in ('INVALID_ARGUMENT', 'PERMISSION_DENIED')


def test_cancel_abandons_the_destination(real, client):
    write_source(real, 'slow.raw')
    job = client.start_copy(copy('slow', 'slow.raw', 'slow.copy',
                                 bandwidth_bytes_per_sec=512 * 1024))
    client.cancel_job(job.id)
    final = client.wait(job.id, timeout=60)
    assert final.state == job_pb2.CANCELLED
    assert not os.path.exists(os.path.join(real.images, 'slow.copy'))
    assert os.path.exists(os.path.join(real.images, 'slow.raw'))


# -- mutual TLS ----------------------------------------------------------------

def _openssl(*args, cwd):
    subprocess.run(['openssl'] + list(args), cwd=cwd, check=True,
                   capture_output=True)


def make_pki(d):
    """CA, agent cert for 127.0.0.1, client certs 'cinder-volume' and
    'intruder' (PKCS#8 keys, as the agent requires)."""
    _openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
             '-subj', '/CN=ferry-test-ca', '-keyout', 'ca.key', '-out',
             'ca.crt', cwd=d)
    for name, ext in (('agent', 'subjectAltName=IP:127.0.0.1'),
                      ('cinder-volume', 'extendedKeyUsage=clientAuth'),
                      ('intruder', 'extendedKeyUsage=clientAuth')):
        _openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj',
                 '/CN=%s' % name, '-keyout', name + '.key', '-out',
                 name + '.csr', cwd=d)
        with open(os.path.join(d, name + '.ext'), 'w') as f:
            f.write(ext + '\n')
        _openssl('x509', '-req', '-in', name + '.csr', '-CA', 'ca.crt',
                 '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1',
                 '-extfile', name + '.ext', '-out', name + '.crt', cwd=d)
    return d


@pytest.fixture(scope='module')
def tls_agent(tmp_path_factory):
    agent_jar()
    d = str(tmp_path_factory.mktemp('tls'))
    make_pki(d)
    agent = RealAgent(d, plaintext=False, extra_yaml=(
        'tls:\n  cert: agent.crt\n  key: agent.key\n  client_ca: ca.crt\n'
        '  allowed_clients:\n    - cinder-volume\n'))
    yield agent
    agent.stop()


def tls_client(agent, who):
    d = agent.dir
    return AgentClient(ChannelSettings(
        agent.address, cert_file=os.path.join(d, who + '.crt'),
        key_file=os.path.join(d, who + '.key'),
        ca_file=os.path.join(d, 'ca.crt')), rpc_timeout=20)


def test_mtls_allowed_client_is_served(tls_agent):
    with tls_client(tls_agent, 'cinder-volume') as c:
        assert c.capabilities().version


def test_mtls_client_not_allowed_is_refused(tls_agent):
    with tls_client(tls_agent, 'intruder') as c:
        with pytest.raises(AgentError) as err:
            c.capabilities()
    assert err.value.code == 'PERMISSION_DENIED'


def test_plaintext_client_cannot_talk_to_a_tls_agent(tls_agent):
    with AgentClient(ChannelSettings(tls_agent.address), rpc_timeout=5) as c:
        with pytest.raises(AgentError) as err:
            c.capabilities()
    assert err.value.code == 'UNAVAILABLE'
