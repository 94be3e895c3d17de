"""Fixtures shared by the end-to-end tests (see stack.py)."""

import pytest

import stack


@pytest.fixture(scope='session')
def cinder():
    return stack.cinder_client()


@pytest.fixture(scope='session')
def ceph():
    c = stack.Ceph()
    yield c
    c.close()


@pytest.fixture
def volumes(cinder):
    v = stack.Volumes(cinder)
    yield v
    v.delete_all()
