"""location_info: where a backend keeps its volumes, as the scheduler reports it.

Cinder's RBD driver reports ``cluster_name:ceph_conf:fsid:user:pool``.
Ferry appends one field, the cluster's id in the agents' configuration:
``cluster_name:ceph_conf:fsid:user:pool:ferry_cluster_id``. Both forms parse
here. A stock RBD driver cannot parse the six-field form and falls back to
Cinder's generic migration, which is the safe path (its own copy is the one
that deleted attached volumes, Cinder bug 2019190).
"""

import dataclasses
from typing import Optional


@dataclasses.dataclass(frozen=True)
class Location:
    cluster_name: str
    ceph_conf: str
    fsid: str
    user: str
    pool: str
    ferry_cluster_id: Optional[str] = None


def parse(location_info):
    """A Location, or None when the string is not an RBD location."""
    if not location_info or not isinstance(location_info, str):
        return None
    fields = location_info.split(':')
    if len(fields) not in (5, 6) or not fields[2] or not fields[4]:
        return None
    cluster_id = fields[5] if len(fields) == 6 and fields[5] else None
    return Location(*fields[:5], ferry_cluster_id=cluster_id)


def extend(location_info, ferry_cluster_id):
    """The stock five-field string with the Ferry cluster id appended."""
    if ':' in ferry_cluster_id:
        raise ValueError('ferry_cluster_id %r may not contain ":"'
                         % ferry_cluster_id)
    if location_info.count(':') != 4:
        raise ValueError('not a stock RBD location_info: %r' % location_info)
    return '%s:%s' % (location_info, ferry_cluster_id)
