"""Fixtures for the accounts tests: the shipped policy and release catalogue."""

from __future__ import annotations

import pytest

from sladesk.accounts.actor import Actor
from sladesk.accounts.services import release_catalogue_load, release_file_parse
from sladesk.accounts.services.releases import shipped_catalogue_path
from sladesk.policy import get_policy


@pytest.fixture
def policy():
    """The shipped Mattermost policy (the default the desk runs)."""
    return get_policy()


@pytest.fixture
def catalogue(db):
    """Load the release catalogue that ships with sladesk."""
    release_catalogue_load(specs=release_file_parse(shipped_catalogue_path()), actor=Actor.system())
