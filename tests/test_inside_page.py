"""The inside views (issue 11) in the page, headless: each appears after a tiny run; bad picks give a message.

One tiny run on the fable is trained once for the module; each test then looks at one view.
"""

from __future__ import annotations

import pytest

from nextword.page.options import STRIP_WINDOW

from .test_app import assert_no_exception, fresh_app_test, set_tiny_config, train_until_done


@pytest.fixture(scope="module")
def trained():
    for at in fresh_app_test():
        set_tiny_config(at, steps=200)
        train_until_done(at)
        assert_no_exception(at)
        yield at


def html_blocks(at) -> list[str]:
    return [node.proto.body for node in at.get("html")]


def test_the_story_as_the_model_reads_it_shades_each_symbol(trained):
    at = trained
    assert any(element.value == "The story as the model reads it" for element in at.subheader)
    strip = next(body for body in html_blocks(at) if "nw-strip" in body)
    assert strip.count("<span") == STRIP_WINDOW, (
        "the fable (204 symbols) is longer than one window: a window of it is shown"
    )
    assert "nw-none" in strip and "top 3:" in strip
    assert any("top guess was" in element.value for element in at.markdown)
    at.slider(key="strip_start").set_value(50).run()
    assert_no_exception(at)
    assert "place 50:" in next(body for body in html_blocks(at) if "nw-strip" in body)


def test_a_place_before_the_first_full_context_gives_a_message(trained):
    at = trained
    at.number_input(key="inside_place").set_value(1).run()
    assert_no_exception(at)
    assert any("has no guess" in element.value for element in at.warning)
    at.number_input(key="inside_place").set_value(3).run()
    assert_no_exception(at)
