"""A web process loads what every request uses, then freezes it out of the GC's walks."""

from __future__ import annotations

import gc

import pytest

from sladesk.core.startup import ready_to_serve
from sladesk.tickets import triage


@pytest.fixture
def thawed():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_everything_loaded_before_serving_is_frozen(thawed, monkeypatch):
    monkeypatch.delenv("SLADESK_GC_FREEZE", raising=False)
    triage._detector.cache_clear()
    ready_to_serve()
    assert triage._detector.cache_info().currsize == 1  # built now, not on the first ticket
    assert gc.get_freeze_count() > 10_000


def test_the_freeze_can_be_turned_off_to_measure_without_it(thawed, monkeypatch):
    monkeypatch.setenv("SLADESK_GC_FREEZE", "0")
    ready_to_serve()
    assert gc.get_freeze_count() == 0


def test_a_broken_policy_file_is_logged_and_the_process_still_starts(
    thawed, monkeypatch, settings, tmp_path, caplog
):
    monkeypatch.delenv("SLADESK_GC_FREEZE", raising=False)
    broken = tmp_path / "policy.toml"
    broken.write_text("version = [unclosed\n")
    settings.SLADESK_POLICY = str(broken)
    ready_to_serve()
    assert "policy not loaded before serving" in caplog.text
    assert gc.get_freeze_count() > 10_000
