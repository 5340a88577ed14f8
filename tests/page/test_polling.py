"""The live panel's interval: every second for a few tabs, less often as more share the server."""

from __future__ import annotations

from nextword.page.options import MAX_POLL_SECONDS, POLL_SECONDS
from nextword.page.polling import RECENT_SECONDS, REDRAWS_PER_SECOND, TabsSeen, poll_seconds


def test_a_few_tabs_redraw_every_second_and_many_share_the_redraws() -> None:
    assert poll_seconds(1) == POLL_SECONDS
    assert poll_seconds(int(REDRAWS_PER_SECOND)) == POLL_SECONDS
    assert poll_seconds(10) == 10 / REDRAWS_PER_SECOND  # ten tabs: 4 redraws a second in all
    assert poll_seconds(1000) == MAX_POLL_SECONDS  # a panel still moves in a crowded room
    intervals = [poll_seconds(tabs) for tabs in range(1, 40)]
    assert intervals == sorted(intervals)


def test_tabs_are_counted_once_and_forgotten_when_they_stop_running_the_page() -> None:
    tabs = TabsSeen()
    assert tabs.count(now=0.0) == 0
    for second in range(5):
        tabs.seen("a", now=float(second))  # one tab polling: one tab
    tabs.seen("b", now=4.0)
    assert tabs.count(now=5.0) == 2
    assert tabs.count(now=4.0 + RECENT_SECONDS) == 2
    assert tabs.count(now=4.5 + RECENT_SECONDS) == 0  # both closed a minute ago


def redraw_notes(at) -> list[str]:
    return [caption.value for caption in at.caption if caption.value.startswith("Redrawn every")]


def test_the_live_panel_says_when_a_crowded_server_redraws_it_less_often(app) -> None:
    """Ten tabs seen on the server: a run started now redraws every 2.5 s, and its panel says so."""
    from nextword.page.polling import tabs_seen
    from tests.steps import assert_no_exception, rerun_until, set_tiny_config

    set_tiny_config(app, steps=20_000)  # still training while the test looks
    for tab in range(9):
        tabs_seen().seen(f"another tab {tab}")
    app.button(key="train").click().run()
    assert_no_exception(app)
    rerun_until(app, lambda at: bool(redraw_notes(at)), seconds=60, what="the note on redraws")
    assert redraw_notes(app)[0].startswith(f"Redrawn every {poll_seconds(10):g} s")
    app.button(key="stop").click().run()
    rerun_until(app, lambda at: not redraw_notes(at), seconds=60, what="the note gone once the run is over")


def test_a_tab_alone_on_the_server_gets_no_note(app) -> None:
    from tests.steps import assert_no_exception, progress_line, rerun_until, set_tiny_config

    set_tiny_config(app, steps=20_000)
    app.button(key="train").click().run()
    assert_no_exception(app)
    rerun_until(app, lambda at: "training" in progress_line(at), seconds=60, what="the run training")
    assert redraw_notes(app) == []
    app.button(key="stop").click().run()
