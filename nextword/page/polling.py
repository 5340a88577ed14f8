"""How often a live panel redraws: every second, and less often as more tabs share the server.

Every redraw of a live panel is a fragment run on the server (Python work beside the training
threads) and a third of a second of work in the browser. Ten tabs redrawing every second keep the
server's two cores busy with redraws alone: its answers to clicks then take many seconds. So the
server counts the tabs that ran the page lately, and a panel starts polling at an interval that
keeps the redraws of all of them together to about `REDRAWS_PER_SECOND`.
"""

from __future__ import annotations

import threading
import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from nextword.page.options import MAX_POLL_SECONDS, POLL_SECONDS

REDRAWS_PER_SECOND = 4.0  # of all live panels together, once enough tabs are open
RECENT_SECONDS = 60.0  # a tab that ran the page this recently counts as open


class TabsSeen:
    """When each tab (a Streamlit session) last ran the page; shared by every tab of the server."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_seen: dict[str, float] = {}

    def seen(self, session_id: str, now: float | None = None) -> None:
        with self._lock:
            self._last_seen[session_id] = time.monotonic() if now is None else now

    def count(self, now: float | None = None) -> int:
        """Tabs seen in the last `RECENT_SECONDS` (the others are forgotten)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self._last_seen = {
                session: seen for session, seen in self._last_seen.items() if now - seen <= RECENT_SECONDS
            }
            return len(self._last_seen)


def poll_seconds(open_tabs: int) -> float:
    """The live panel's interval when `open_tabs` tabs share the server."""
    shared = open_tabs / REDRAWS_PER_SECOND
    return round(min(MAX_POLL_SECONDS, max(POLL_SECONDS, shared)), 2)


@st.cache_resource(show_spinner=False)
def tabs_seen() -> TabsSeen:
    return TabsSeen()


def note_this_tab() -> None:
    """Count this tab as open (called on every run of the page)."""
    context = get_script_run_ctx()
    if context is not None:
        tabs_seen().seen(context.session_id)
