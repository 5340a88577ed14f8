"""A small class over the page's websocket (bench/class_load.py), against a real `streamlit run`.

Behaviour only: every student sees its run end, nothing on the page is an error and the server
keeps every session. How fast it answers, and how many clicks it left unanswered for a long time on
a busy machine, is the bench's business (part 4), not a test's.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import ROOT

SMALL_CLASS = {"students": 6, "steps": 50, "units": 16, "flood": 2, "seconds": 300}


@pytest.fixture
def class_load(monkeypatch):
    """The bench's load client, imported as the bench imports it (its folder on sys.path)."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import class_load

    return class_load


def test_a_small_class_and_a_flood_see_their_runs_end_without_errors(class_load, server):
    figures = asyncio.run(class_load.measure(server, SMALL_CLASS))

    assert figures["errors"] == []
    assert figures["lost"] == 0
    assert figures["finished"] == SMALL_CLASS["students"] + 1
