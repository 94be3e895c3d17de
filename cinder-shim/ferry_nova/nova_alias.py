"""Makes ``compute_driver = ferry_nova.driver.FerryLibvirtDriver`` loadable.

Nova 26 loads its driver as ``'nova.virt.' + compute_driver``, so an
out-of-tree driver must be importable under ``nova.virt``. Instead of
copying files into Nova's package, ``install()`` adds an import hook that
answers ``nova.virt.ferry_nova[.x]`` with the very module ``ferry_nova[.x]``
(one copy of each module: one set of options, one driver class).

nova-compute gets the hook from ``python3 -m ferry_nova.compute`` (this
package's launcher) or from a ``.pth`` line in site-packages:
``import ferry_nova.nova_alias as a; a.install()``. The hook imports nothing
until Nova asks for the alias.
"""

import importlib
import importlib.abc
import importlib.util
import sys

ALIAS = 'nova.virt.ferry_nova'
_PARENT = 'nova.virt.'


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):

    def find_spec(self, name, path=None, target=None):
        if name == ALIAS or name.startswith(ALIAS + '.'):
            return importlib.util.spec_from_loader(name, self)
        return None

    def create_module(self, spec):
        # The real module; importlib keeps its own __name__ and __spec__.
        return importlib.import_module(spec.name[len(_PARENT):])

    def exec_module(self, module):
        pass    # already executed under its real name


def install():
    """Idempotent; first on sys.meta_path so that no second copy is made."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
