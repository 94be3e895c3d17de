"""Creates the lab's volume types and waits until every backend's pool is up.

Used by openstack-lab.sh (piece cinder). A type per backend, named like the
backend, with volume_backend_name set (idempotent). Then waits until the
scheduler knows a pool of every backend (get-pools): before that, a
migration to that backend fails with "No valid host". Credentials come from
the OS_* environment.
"""

import argparse
import os
import sys
import time

from cinderclient import client
from keystoneauth1 import session
from keystoneauth1.identity import v3


def cinder():
    auth = v3.Password(
        auth_url=os.environ['OS_AUTH_URL'], username=os.environ['OS_USERNAME'],
        password=os.environ['OS_PASSWORD'],
        project_name=os.environ['OS_PROJECT_NAME'],
        user_domain_name='Default', project_domain_name='Default')
    return client.Client('3.60', session=session.Session(auth=auth,
                                                          timeout=30),
                         region_name=os.environ.get('OS_REGION_NAME'))


def ensure_types(c, backends):
    """A type per backend, and "ferry" for any Ferry backend.

    `cinder migrate` keeps the volume's type, and the scheduler refuses a
    destination whose backend name the type does not match: volumes to be
    moved with `cinder migrate` use type "ferry" (backend name contains
    "ferry-"), as operators use types shared by several backends.
    """
    have = {t.name for t in c.volume_types.list()}
    specs = {b: b for b in backends}
    specs['ferry'] = '<in> ferry-'
    for name, backend_name in specs.items():
        if name not in have:
            t = c.volume_types.create(name)
            t.set_keys({'volume_backend_name': backend_name})
            print('volume type %s created' % name, flush=True)


def wait_pools(c, backends, timeout):
    deadline = time.monotonic() + timeout
    missing = set(backends)
    while True:
        try:
            pools = c.pools.list(detailed=True)
            up = {getattr(p, 'volume_backend_name', None) for p in pools}
            missing = set(backends) - up
        except Exception as e:     # API still starting
            print('get-pools: %s' % e, flush=True)
        if not missing:
            print('all pools up: %s' % ' '.join(sorted(backends)), flush=True)
            return True
        if time.monotonic() > deadline:
            print('after %ss no pool of: %s' % (timeout,
                                                ' '.join(sorted(missing))))
            return False
        time.sleep(2)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--backends', required=True)
    p.add_argument('--timeout', type=float, default=240)
    a = p.parse_args()
    backends = a.backends.split()
    deadline = time.monotonic() + a.timeout
    while True:
        try:
            c = cinder()
            ensure_types(c, backends)
            break
        except Exception as e:
            if time.monotonic() > deadline:
                raise
            print('volume types: %s (retrying)' % e, flush=True)
            time.sleep(2)
    return 0 if wait_pools(c, backends, deadline - time.monotonic()) else 1


if __name__ == '__main__':
    sys.exit(main())
