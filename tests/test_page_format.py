"""Text the page builds from plain values: marked generated texts, story quotes, the yardstick sentence."""

from __future__ import annotations

from nextword.corpus import detokenize_pieces
from nextword.page.format import marked_text_html, story_quote_html, yardstick_sentence


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
