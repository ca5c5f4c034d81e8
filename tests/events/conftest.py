"""Fixtures of the events tests."""

from __future__ import annotations

import pytest

from tests.events.clv_data import make_few


@pytest.fixture
def few(ana, carla):
    """Five buyers of Ana's (tests/events/clv_data.py) and one of Carla's, by first name."""
    return make_few(ana, carla)
