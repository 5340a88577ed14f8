"""The lesson link: a new tab opens the address's settings, story, run and view; the tab writes them back.

The rules for reading a value live in nextword/page/address.py (no Streamlit); here they meet the
tab. What was wrong with an address is kept as one-line notices, drawn by `lesson_bar` into a box
that is always on the page (the live panel below it is a fragment, known by its position).
"""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

import streamlit as st

from nextword.errors import NextwordError
from nextword.page import address, markup, resources
from nextword.page.options import HELP
from nextword.page.state import DEFAULT_SETTINGS, TabState, widget_values
from nextword.text import corpus

GONE_STORY = (
    "story: the story this link names was uploaded, and the server no longer has it: upload the story "
    "again. Showing the bundled fable meanwhile."
)
OTHER_STORY_RUN = "run: the run this link names was trained on another story: it is not shown."
GONE_RUN = "run: the run this link names is no longer on the server: press Train to run it again."


def open_story(tab: TabState, name: str) -> bool:
    """Use the story a link names: a bundled one, by file name or title, or an upload the server keeps."""
    for title, path in corpus.bundled_stories().items():
        if name in (path.stem, title):
            tab.use_bundled_story(title)
            return True
    shelved = resources.story_shelf().get(name)
    if shelved is not None:
        tab.use_story_bytes(*shelved)
    return shelved is not None


def _same_story(tab: TabState, run) -> bool:
    try:
        return tab.story().text == run.data.story.text
    except NextwordError:
        return False


def open_lesson(tab: TabState) -> None:
    """Set this new tab up as its address says (on the tab's first script run only)."""
    lesson = address.read_address(st.query_params.to_dict(), widget_values(*DEFAULT_SETTINGS))
    notices = list(lesson.notices)
    tab.show_setting_values(lesson.settings)
    tab.present, tab.hidden = lesson.present, lesson.hide
    run = resources.get_registry().get(lesson.run) if lesson.run else None
    story_found = lesson.story is None or open_story(tab, lesson.story)
    if run is not None and lesson.story is not None and story_found and not _same_story(tab, run):
        notices.append(OTHER_STORY_RUN)
    elif run is not None:
        # An old link names only its run: take the run's settings. A lesson link's own settings win.
        tab.adopt_run(lesson.run, run, settings=not lesson.settings)
        story_found = True  # the run brings its story along
    elif lesson.run is not None:
        notices.append(GONE_RUN)
    if not story_found:
        notices.append(GONE_STORY)
    # The settings a story suggests (nextword/page/sidebar.py's apply_suggestions) that the link names.
    suggested = {"holdout", "steps", "dropout"} & set(lesson.settings)
    if {"holdout", "steps"} <= suggested:
        # The link holds the page as it was, a story's suggestions included: not applied again, but
        # still applied to the next story chosen (unless the person sets them).
        with contextlib.suppress(NextwordError):
            tab.suggested_for = tab.story().digest
    else:
        tab.settings_chosen = tab.settings_chosen | suggested
    tab.notices = notices


def lesson_address(tab: TabState) -> dict[str, str]:
    return address.address_of(tab.setting_values(), tab.story_token, tab.watch_key, tab.present, tab.hidden)


def show_in_address(tab: TabState) -> None:
    """Write the tab's lesson into the address, so a refresh, or this link, opens the same page."""
    wanted = lesson_address(tab)
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def lesson_link(tab: TabState) -> str:
    """The whole link: the server's address as the browser sees it, and the lesson's query string."""
    base = st.context.url or ""
    return f"{base}?{urlencode(lesson_address(tab))}"


def lesson_bar(tab: TabState) -> None:
    """The presenter toggle, the lesson link, and what was wrong with the address (one line each)."""
    if tab.present:  # a style element alone goes to Streamlit's event container: no place in the page
        st.html(markup.PRESENTER_CSS)
    # In a row, each as wide as its label (in a narrow column "Presenter view" was cut short).
    bar = st.container(horizontal=True, vertical_alignment="center", gap="medium")
    bar.toggle("Presenter view", key="present", help=HELP["present"])
    with bar.popover("Copy lesson link", help=HELP["lesson_link"]):
        st.caption("This address opens the page with these settings, this story, run and view:")
        st.code(lesson_link(tab), language=None, wrap_lines=True)
    for notice in tab.notices or ():
        st.warning(notice, icon="⚠️")
