"""Nova loads compute_driver as 'nova.virt.' + the option's value."""

import sys

import pytest

if 'cinder.volume' in sys.modules:
    pytest.skip('Cinder is loaded in this process: run tests/nova_driver on '
                'its own', allow_module_level=True)

from oslo_utils import importutils

from ferry_nova import driver as ferry_driver
from ferry_nova import nova_alias


def test_novas_import_path_finds_the_same_driver_class():
    nova_alias.install()
    nova_alias.install()    # idempotent
    cls = importutils.import_class(
        'nova.virt.ferry_nova.driver.FerryLibvirtDriver')
    assert cls is ferry_driver.FerryLibvirtDriver
    assert sys.modules['nova.virt.ferry_nova.driver'] is ferry_driver
    assert sum(isinstance(f, nova_alias._Finder) for f in sys.meta_path) == 1


def test_other_nova_virt_modules_are_left_alone():
    nova_alias.install()
    assert nova_alias._Finder().find_spec('nova.virt.libvirt') is None
    assert nova_alias._Finder().find_spec('nova.virt.ferry_novax') is None
