import pytest

from cinder import context


@pytest.fixture
def ctx():
    return context.get_admin_context()
