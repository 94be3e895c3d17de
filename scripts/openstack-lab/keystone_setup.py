"""Registers the lab's service users, services and endpoints in Keystone.

Used by openstack-lab.sh (piece "base"), once per lab: one Python process
instead of dozens of `openstack` CLI calls. Idempotent: existing records are
kept. Users get the admin and service roles in project "service".
"""

import argparse
import sys

from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client


def find(manager, name, **kw):
    for item in manager.list(**kw):
        if item.name == name:
            return item
    return None


def get_or_create(manager, name, **kw):
    return find(manager, name) or manager.create(name=name, **kw)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--auth-url', required=True)
    p.add_argument('--admin-password', required=True)
    p.add_argument('--service-password', required=True)
    p.add_argument('--region', required=True)
    p.add_argument('--users', required=True)
    p.add_argument('--service', action='append', default=[],
                   help='"NAME TYPE URL"')
    a = p.parse_args()
    auth = v3.Password(auth_url=a.auth_url, username='admin',
                       password=a.admin_password, project_name='admin',
                       user_domain_name='Default',
                       project_domain_name='Default')
    ks = client.Client(session=session.Session(auth=auth, timeout=30))
    project = get_or_create(ks.projects, 'service', domain='default')
    roles = [get_or_create(ks.roles, r) for r in ('admin', 'service')]
    for name in a.users.split():
        user = find(ks.users, name, domain='default') or ks.users.create(
            name=name, password=a.service_password, domain='default',
            default_project=project)
        for role in roles:
            ks.roles.grant(role, user=user, project=project)
        print('user %s' % name)
    for spec in a.service:
        name, stype, url = spec.split()
        svc = next((s for s in ks.services.list(type=stype)
                    if s.name == name), None) or ks.services.create(
            name=name, type=stype)
        have = {e.interface for e in ks.endpoints.list(service=svc)}
        for interface in ('public', 'internal', 'admin'):
            if interface not in have:
                ks.endpoints.create(service=svc, url=url, interface=interface,
                                    region=a.region)
        print('service %s (%s) at %s' % (name, stype, url))
    return 0


if __name__ == '__main__':
    sys.exit(main())
