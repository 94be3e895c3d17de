"""The generated stubs and AgentClient against a grpcio fake agent on 127.0.0.1."""

import grpc
import pytest

from ferry_agent_client import AgentClient
from ferry_agent_client import AgentError
from ferry_agent_client import AgentTimeout
from ferry_agent_client import ChannelSettings
from ferry_agent_client import channel
from ferry_agent_client import client as client_mod
from ferry_agent_client import request_ids
from ferry_agent_client.proto import agent_pb2
from ferry_agent_client.proto import job_pb2
from ferry_agent_client.proto import rbd_endpoint


@pytest.fixture
def client(agent, monkeypatch):
    monkeypatch.setattr(client_mod, '_RETRY_PAUSE', 0.01)
    with AgentClient(ChannelSettings(agent.address), rpc_timeout=5) as c:
        yield c


def copy_request(rid='r-1', pool='b'):
    return agent_pb2.StartCopyRequest(
        request_id=rid, source=rbd_endpoint('lab', 'a', 'vol'),
        destination=rbd_endpoint('lab', pool, 'vol'),
        options=job_pb2.CopyOptions(create_destination=True, verify=True))


def test_start_copy_sends_the_request_and_returns_the_job(agent, client):
    job = client.start_copy(copy_request())
    assert job.state == job_pb2.QUEUED and job.request_id == 'r-1'
    [(method, req)] = agent.agent.calls
    assert method == 'StartCopy'
    assert req.destination.rbd.pool == 'b' and req.options.verify


def test_same_request_id_returns_the_same_job(client):
    assert client.start_copy(copy_request()).id == \
        client.start_copy(copy_request()).id


def test_same_id_different_request_maps_to_already_exists(client):
    client.start_copy(copy_request())
    with pytest.raises(AgentError) as err:
        client.start_copy(copy_request(pool='c'))
    assert err.value.code == 'ALREADY_EXISTS'
    assert 'r-1' in err.value.message


def test_watch_streams_every_state_until_the_end(client):
    job = client.start_copy(copy_request())
    seen = []
    final = client.wait(job.id, timeout=10, on_update=seen.append)
    assert final.state == job_pb2.COMPLETED
    states = [j.state for j in seen]
    assert states[0] == job_pb2.QUEUED and states[-1] == job_pb2.COMPLETED
    assert job_pb2.VERIFYING in states
    assert states.index(job_pb2.VERIFYING) < states.index(
        job_pb2.COMMITTING)


def test_poll_mode_reaches_the_end_with_get_job(agent, client):
    job = client.start_copy(copy_request())
    final = client.wait(job.id, timeout=10, poll_interval=0.01)
    assert final.state == job_pb2.COMPLETED
    assert 'WatchJob' not in agent.agent.methods()


def test_wait_opens_a_fresh_channel_after_losing_the_agent(agent, client,
                                                           monkeypatch):
    opened = []
    real = channel.open_channel
    monkeypatch.setattr(channel, 'open_channel',
                        lambda settings: opened.append(settings) or real(settings))
    job = client.start_copy(copy_request())
    agent.agent.fail_next['GetJob'] = (grpc.StatusCode.UNAVAILABLE, 'down')
    final = client.wait(job.id, timeout=10, poll_interval=0.01)
    assert final.state == job_pb2.COMPLETED
    assert [s.address for s in opened] == [agent.address]


def test_a_channel_that_cannot_be_reopened_keeps_the_old_one(agent, client,
                                                             monkeypatch):
    def unreadable(settings):
        raise ValueError('ferry_tls_key: cannot read it (being rotated)')
    monkeypatch.setattr(channel, 'open_channel', unreadable)
    job = client.start_copy(copy_request())
    agent.agent.fail_next['GetJob'] = (grpc.StatusCode.UNAVAILABLE, 'down')
    final = client.wait(job.id, timeout=10, poll_interval=0.01)
    assert final.state == job_pb2.COMPLETED
    # and the old channel still carries calls, e.g. the cancel of a failure path
    assert client.get_job(job.id).state == job_pb2.COMPLETED


def test_a_given_channel_is_never_replaced(agent, monkeypatch):
    monkeypatch.setattr(client_mod, '_RETRY_PAUSE', 0.01)
    monkeypatch.setattr(channel, 'open_channel', lambda s: pytest.fail('reopened'))
    with grpc.insecure_channel(agent.address) as ch:
        c = AgentClient(ChannelSettings(agent.address), channel=ch)
        job = c.start_copy(copy_request())
        agent.agent.fail_next['GetJob'] = (grpc.StatusCode.UNAVAILABLE, 'down')
        assert c.wait(job.id, timeout=10, poll_interval=0.01).state == job_pb2.COMPLETED


def test_wait_times_out_when_the_job_does_not_end(agent, client):
    agent.agent.hold.clear()
    job = client.start_copy(copy_request())
    with pytest.raises(AgentTimeout) as err:
        client.wait(job.id, timeout=0.5)
    assert job.id in str(err.value)


def test_cancel_and_get(client):
    job = client.start_copy(copy_request())
    assert client.cancel_job(job.id).state == job_pb2.CANCELLED
    assert client.get_job(job.id).state == job_pb2.CANCELLED


def test_pivot_of_a_ready_mirror_returns_the_pivoting_job(agent, client):
    job = client.start_copy(copy_request(rid='r-pivot'))
    agent.agent.jobs[job.id].state = job_pb2.READY
    assert client.pivot_job(job.id).state == job_pb2.PIVOTING
    assert ('PivotJob', agent_pb2.PivotJobRequest(job_id=job.id)) in \
        agent.agent.calls


def test_pivot_of_a_job_that_is_not_ready_maps_to_failed_precondition(
        client):
    job = client.start_copy(copy_request(rid='r-notready'))
    with pytest.raises(AgentError) as err:
        client.pivot_job(job.id)
    assert err.value.code == 'FAILED_PRECONDITION'
    assert not err.value.retryable
    assert 'not READY' in err.value.message


def test_unknown_job_maps_to_not_found(client):
    with pytest.raises(AgentError) as err:
        client.get_job('nope')
    assert err.value.code == 'NOT_FOUND' and not err.value.retryable
    assert 'nope' in err.value.message


def test_watch_of_unknown_job_maps_to_not_found(client):
    with pytest.raises(AgentError) as err:
        client.wait('nope', timeout=5)
    assert err.value.code == 'NOT_FOUND'


@pytest.mark.parametrize('code', [grpc.StatusCode.INVALID_ARGUMENT,
                                  grpc.StatusCode.FAILED_PRECONDITION,
                                  grpc.StatusCode.RESOURCE_EXHAUSTED,
                                  grpc.StatusCode.DATA_LOSS,
                                  grpc.StatusCode.UNIMPLEMENTED])
def test_error_status_maps_to_its_name_and_message(agent, client, code):
    agent.agent.fail_next['StartCopy'] = (code, 'source.rbd.pool: fix it')
    with pytest.raises(AgentError) as err:
        client.start_copy(copy_request())
    assert err.value.code == code.name
    assert 'source.rbd.pool: fix it' in err.value.message
    assert agent.address in err.value.message


def test_unavailable_start_is_resent_with_the_same_request_id(agent, client):
    agent.agent.fail_next['StartCopy'] = (grpc.StatusCode.UNAVAILABLE, 'down')
    job = client.start_copy(copy_request())
    starts = [r.request_id for m, r in agent.agent.calls if m == 'StartCopy']
    assert starts == ['r-1', 'r-1'] and job.request_id == 'r-1'


def test_start_fresh_skips_jobs_of_earlier_tries(agent, client):
    def build(n):
        return copy_request(rid=request_ids.request_id('t', 'vol', attempt=n))
    first = client.start_fresh_copy(build)
    client.wait(first.id, timeout=10)          # ends COMPLETED
    second = client.start_fresh_copy(build)
    assert second.id != first.id
    assert second.request_id == build(1).request_id


def test_start_fresh_skips_an_id_taken_by_another_request(agent, client):
    client.start_copy(copy_request(
        rid=request_ids.request_id('t', 'vol', attempt=0), pool='other'))
    job = client.start_fresh_copy(lambda n: copy_request(
        rid=request_ids.request_id('t', 'vol', attempt=n)))
    assert job.request_id == request_ids.request_id('t', 'vol', attempt=1)


def test_request_ids_are_deterministic_and_distinct():
    a = request_ids.request_id('cinder-migrate', 'v1', 'x', 'y')
    assert a == request_ids.request_id('cinder-migrate', 'v1', 'x', 'y')
    assert a != request_ids.request_id('cinder-migrate', 'v1', 'x', 'y',
                                       attempt=1)
    assert a != request_ids.request_id('cinder-migrate', 'v2', 'x', 'y')
    with pytest.raises(ValueError):
        request_ids.request_id('k', '')


def test_unreachable_agent_is_unavailable_and_retryable(monkeypatch):
    monkeypatch.setattr(client_mod, '_RETRY_PAUSE', 0.01)
    with AgentClient(ChannelSettings('127.0.0.1:9'), rpc_timeout=2) as c:
        with pytest.raises(AgentError) as err:
            c.get_job('x')
    assert err.value.code == 'UNAVAILABLE' and err.value.retryable
    assert 'unreachable' in err.value.message


@pytest.mark.parametrize('address,loopback', [
    ('127.0.0.1:7000', True), ('[::1]:7000', True), ('localhost:1', True),
    ('unix:/run/ferry.sock', True), ('10.0.0.5:7000', False),
    ('agent.example:7000', False)])
def test_loopback_detection(address, loopback):
    assert channel.is_loopback(address) is loopback


def test_plaintext_is_refused_off_loopback():
    with pytest.raises(ValueError) as err:
        channel.open_channel(ChannelSettings('10.0.0.5:7000'))
    assert 'ferry_tls_cert' in str(err.value)


def test_partial_tls_settings_are_refused(tmp_path):
    with pytest.raises(ValueError) as err:
        channel.open_channel(ChannelSettings('10.0.0.5:7000',
                                             ca_file=str(tmp_path / 'ca')))
    assert 'ferry_tls_cert' in str(err.value)
    assert 'ferry_tls_key' in str(err.value)


def test_unreadable_tls_file_is_named(tmp_path):
    with pytest.raises(ValueError) as err:
        channel.open_channel(ChannelSettings(
            '10.0.0.5:7000', cert_file=str(tmp_path / 'c'),
            key_file=str(tmp_path / 'k'), ca_file=str(tmp_path / 'ca')))
    assert 'ferry_tls_ca' in str(err.value)


def test_a_poll_cut_by_its_deadline_ends_as_timeout(agent, client):
    """The last poll may get only a sliver of the budget: that must end as
    AgentTimeout (the job is cancelled), not as a lost job."""
    agent.agent.hold.clear()
    agent.agent.get_delay = 0.3
    job = client.start_copy(copy_request())
    with pytest.raises(AgentTimeout):
        client.wait(job.id, timeout=0.5, poll_interval=0.01)
