"""nova-compute with Ferry's driver loadable: ``python3 -m ferry_nova.compute
--config-file nova.conf ...`` (the same arguments as nova-compute)."""

import sys

from ferry_nova import nova_alias


def main():
    nova_alias.install()
    from nova.cmd import compute    # after the hook; monkey-patches eventlet
    return compute.main()


if __name__ == '__main__':
    sys.exit(main())
