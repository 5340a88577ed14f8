"""The page: the sections in order, each in a container drawn on every script run.

`streamlit_app.py` draws the title first and then calls `main()`. The containers are made before
anything is drawn into them, so what one section shows or hides never moves the sections below it
(the live panel in section 2 is a fragment, known by its position: see nextword/page/sections/train.py).
They are filled in the order a person needs them, not the page's: the sidebar's settings and the
Train button first, then the story's tables and the sections with charts, whose modules load
pandas and altair (they take longer to import than a bare Streamlit page takes to show).
"""

from __future__ import annotations

import streamlit as st

from nextword.errors import NextwordError, RegistryUnreachableError
from nextword.page import polling, resources, script_runs
from nextword.page.lesson import lesson_bar, open_lesson, show_in_address
from nextword.page.sections.story import held_out_part, story_section
from nextword.page.sections.train import training_section
from nextword.page.sidebar import sidebar
from nextword.page.state import TabState
from nextword.text.corpus import Story
from nextword.training import registry, tensorflow_runtime
from nextword.training.run import TrainingRun

script_runs.keep_keras_session()  # once per server process, when the page first loads


def main() -> None:
    try:
        draw_page()
    except RegistryUnreachableError as error:  # the runs live on a cluster this server cannot reach
        st.error(str(error))


def draw_page() -> None:
    tab = TabState()
    polling.note_this_tab()
    if tab.init():
        open_lesson(tab)  # a new tab: the address's settings, story, run and view
    sidebar()
    lesson_box, story_box, train_box, *chart_boxes = (st.container() for _ in range(7))
    with lesson_box:
        lesson_bar(tab)
    settings = tab.settings()
    _, model, train = settings
    story, data, held_out, problems = None, None, None, [tab.story_error] if tab.story_error else []
    try:
        story = tab.story()
        held_out = held_out_part(story, settings)
        # A hold-out the story cannot afford is said in the story section; the story still shows.
        shown_holdout = train.holdout if held_out.split is not None else 0
        data = resources.training_data(story.digest, model.n_input, shown_holdout, story)
    except NextwordError as error:
        problems.append(str(error))
        held_out = None
    current_key = None
    if data is not None:
        current_key = registry.run_key(story, model, train)
        if (
            tab.watch_key is None
            and current_key not in tab.unwatched
            and resources.get_registry().get(current_key) is not None
        ):
            tab.watch(current_key, story, model, train)  # a refreshed or new tab finds the run it had
    show_in_address(tab)
    with train_box:
        run = training_section(held_out is not None and held_out.split is not None, current_key)
    with story_box:
        story_section(story, data, problems, held_out)
    chart_sections(tab, run, story if data is not None else None, *chart_boxes)
    # The page is on screen: load TensorFlow now, in the background, so the first Train need not,
    # and trace a model for the settings shown, so that Train starts training at once.
    tensorflow_runtime.preload_in_background()
    if current_key is not None:
        resources.get_registry().prepare(data, model, train)


def chart_sections(tab: TabState, run: TrainingRun | None, story: Story | None, *boxes) -> None:
    """Sections 3 to 6 into their `boxes`; their modules, imported here, bring altair (see above)."""
    from nextword.page.sections.compare import compare_section
    from nextword.page.sections.inside import inside_section
    from nextword.page.sections.keep import keep_section
    from nextword.page.sections.predict import predict_section

    compare_box, *run_boxes = boxes
    with compare_box:
        compare_section(story)
    sections = {"predict": predict_section, "inside": inside_section, "keep": keep_section}
    for (name, section), box in zip(sections.items(), run_boxes, strict=True):
        if run is not None and tab.shows(name):
            with box:
                section(tab.watch_key, run)
