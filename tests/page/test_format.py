"""Text and HTML the page builds from plain values: marked texts, story quotes, the reading strip."""

from __future__ import annotations

import numpy as np

from nextword.inference.copying import CopiedText
from nextword.inside import ReadingStrip
from nextword.page.format import format_seconds, yardstick_sentence
from nextword.page.markup import longest_run_html, marked_text_html, reading_strip_html, story_quote_html
from nextword.text.corpus import detokenize_pieces, load_story
from nextword.text.vocab import Vocabulary

HOSTILE = ("<script>", "<img", "src=x", 'onerror="alert(1)">', "&", "b")


def test_marked_text_escapes_every_symbol_and_marks_only_copied_runs():
    symbols = ["<script>", "alert", "(1)", "&", "x", ",", "y"]
    pieces = detokenize_pieces(symbols)
    marked = marked_text_html(pieces, 2, (True, True, False, True, True))
    assert "<script>" not in marked and "&lt;script&gt;" in marked
    assert marked == (
        '<div class="nw-text"><span class="nw-context">&lt;script&gt; alert</span> '
        '<mark class="nw-copied">(1) &amp;</mark> x<mark class="nw-copied">, y</mark></div>'
    )


def test_marked_text_without_copies_has_no_mark():
    pieces = detokenize_pieces(["a", "b", "c"])
    assert "<mark" not in marked_text_html(pieces, 1, (False, False))


def test_story_quote_marks_the_run_and_escapes_the_story():
    symbols = ["a", "b", "c", ",", "<d>", "e", "f", "g"]
    assert story_quote_html(symbols, 3, 2, "words", around=2) == (
        '… b c<mark class="nw-copied">, &lt;d&gt;</mark> e f …'
    )
    assert story_quote_html(symbols, 0, 1, "words", around=1) == '<mark class="nw-copied">a</mark> b …'


def test_yardstick_sentence_says_which_model_wins_on_held_out_words():
    sentence = yardstick_sentence(0.99, 0.994, 0.994, 0.049, 0.195)
    assert "gets 99.4% right (the ceiling)" in sentence
    assert "the LSTM gets 4.9% and the n-gram 19.5%: the n-gram guesses more of them." in sentence
    assert "the LSTM guesses more" in yardstick_sentence(0.5, 0.9, 0.95, 0.3, 0.2)
    assert "(the ceiling is 95.0%)" in yardstick_sentence(0.5, 0.9, 0.95, 0.3, 0.2)
    no_holdout = yardstick_sentence(0.99, 0.994, 0.994)
    assert "hold part of it out" in no_holdout and "held-out words" not in no_holdout


def test_every_html_the_page_builds_from_a_story_escapes_it():
    """The reading strip and the longest-run quote carry story symbols: none reaches the page as a tag."""
    vocabulary = Vocabulary.from_symbols(list(HOSTILE))
    ids = np.asarray(vocabulary.encode(list(HOSTILE)), dtype=np.int64)
    places = len(HOSTILE)
    strip = ReadingStrip(
        start=0,
        n_input=2,
        ids=ids,
        has_guess=np.arange(places) >= 2,
        probability=np.where(np.arange(places) >= 2, 0.5, np.nan),
        correct=np.arange(places) % 2 == 0,
        top_ids=np.tile(ids[:3], (places, 1)),
        top_probabilities=np.full((places, 3), 0.2),
        vocabulary=vocabulary,
    )
    story = load_story(" ".join(HOSTILE))
    copies = CopiedText(copied=(True, True), longest_run=2, longest_run_start=0, story_offset=1)
    for built in (reading_strip_html(strip, 3, " "), longest_run_html(story, copies, held_out_start=4)):
        assert "<script" not in built and "<img" not in built and "&lt;" in built, built
        assert 'onerror="' not in built
    assert "held-out part" not in longest_run_html(story, copies, held_out_start=4)
    assert "never trained on" in longest_run_html(story, copies, held_out_start=1)


def test_seconds_read_as_people_read_a_duration():
    assert format_seconds(None) == "–"
    assert format_seconds(0.21) == "0.2 s"  # a default run: not "0 s"
    assert format_seconds(0.96) == "1.0 s"
    assert format_seconds(9.94) == "9.9 s"
    assert format_seconds(9.96) == "10 s"
    assert format_seconds(42.4) == "42 s"
    assert format_seconds(185) == "3 min 05 s"
    assert format_seconds(3720) == "1 h 02 min"
    assert format_seconds(-1) == "0.0 s"
