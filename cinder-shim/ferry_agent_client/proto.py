"""The generated ferry.v1 modules, imported from one place.

Everything else imports ``agent_pb2`` & co. from here, so a missing or stale
generation fails once, with a message that says how to fix it.
"""

try:
    from ferry_agent_client._gen.ferry.v1 import agent_pb2  # noqa: F401
    from ferry_agent_client._gen.ferry.v1 import agent_pb2_grpc  # noqa: F401
    from ferry_agent_client._gen.ferry.v1 import endpoint_pb2  # noqa: F401
    from ferry_agent_client._gen.ferry.v1 import job_pb2  # noqa: F401
except ImportError as e:  # pragma: no cover - depends on the install
    raise ImportError(
        'Ferry gRPC stubs are missing (%s): run cinder-shim/scripts/'
        'gen-stubs.sh (needs protobuf-compiler and protobuf-compiler-grpc)'
        % e) from e

# Label naming the Cinder volume a job works for; the control plane (`ferry
# migrate`, `ferry repair`) finds a volume's jobs by it (AgentJobs.VOLUME_LABEL).
VOLUME_LABEL = 'volume_id'

TERMINAL_STATES = frozenset(
    [job_pb2.COMPLETED, job_pb2.FAILED, job_pb2.CANCELLED])


def state_name(state):
    """'SYNCING' for job_pb2.SYNCING; readable in logs and errors."""
    return job_pb2.JobState.Name(state)


def rbd_endpoint(cluster_id, pool, image, namespace=''):
    return endpoint_pb2.Endpoint(rbd=endpoint_pb2.RbdImage(
        cluster_id=cluster_id, pool=pool, namespace=namespace, image=image))
