"""HTML the page builds: our own fixed CSS, and user text only ever escaped inside our own tags.

Every `st.html` call of the page gets one of the constants or functions here (a test checks it),
so a story holding `<script>` or `<img onerror=...>` shows as text.
"""

from __future__ import annotations

import html

from nextword.inference.copying import CopiedText
from nextword.inside import ReadingStrip
from nextword.text.corpus import Story, detokenize_pieces

# Large print for the generated texts (read from the back of
# a classroom), the context in blue, copied runs highlighted.
GENERATED_TEXT_STYLE = """<style>
.nw-text { font-size: 1.55rem; line-height: 1.5; }
.nw-context { color: #1f77b4; font-weight: 700; }
mark.nw-copied { background: #ffe08a; color: inherit; padding: 0 0.1em; border-radius: 0.2em; }
.nw-quote { font-size: 0.875rem; line-height: 1.5; opacity: 0.75; }
</style>"""
# Fixed CSS for the reading strip: ten shades of one colour, by the probability given to the symbol.
STRIP_CSS = (
    "<style>"
    ".nw-strip{line-height:2;font-size:1rem}"
    ".nw-strip span{padding:1px 3px;border-radius:3px;margin-right:2px;display:inline-block}"
    ".nw-strip .nw-none{color:#888;border:1px dashed #bbb}"
    ".nw-strip .nw-wrong{text-decoration:underline wavy #c62828;text-underline-offset:4px}"
    ".nw-strip .nw-picked{outline:2px solid #1565c0}"
    + "".join(
        f".nw-strip .nw-p{level}{{background:rgba(46,125,50,{level / 10 + 0.05:.2f})}}" for level in range(10)
    )
    + ".nw-strip .nw-p6,.nw-strip .nw-p7,.nw-strip .nw-p8,.nw-strip .nw-p9{color:#fff}"
    + "</style>"
)


def reading_strip_html(strip: ReadingStrip, picked: int | None, joiner: str) -> str:
    """The story as the model reads it: one span a symbol, shaded by its probability, escaped."""
    spans = []
    for row in range(len(strip)):
        position = strip.start + row
        guess = strip.guess(position)
        symbol = html.escape(strip.vocabulary.symbol_of(int(strip.ids[row])))
        if guess is None:
            classes, title = "nw-none", "no guess: fewer than n_input symbols before it"
        else:
            level = min(9, int(guess.probability * 10))
            classes = f"nw-p{level}" + ("" if guess.correct else " nw-wrong")
            title = f"place {position}: p = {guess.probability:.0%}; top 3: " + ", ".join(
                f"{top_symbol} {probability:.0%}" for top_symbol, probability in guess.top
            )
        if position == picked:
            classes += " nw-picked"
        spans.append(f'<span class="{classes}" title="{html.escape(title)}">{symbol}</span>')
    return f'{STRIP_CSS}<div class="nw-strip">{joiner.join(spans)}</div>'


def marked_text_html(pieces: list[str], context_count: int, copied: tuple[bool, ...]) -> str:
    """A generated text as HTML, every piece escaped: the context in its class, copied symbols in <mark>.

    `pieces` are each symbol's text (context, then generated) as `detokenize_pieces` gives them;
    `copied` has one flag per generated symbol.
    """
    parts = [f'<span class="nw-context">{html.escape("".join(pieces[:context_count]))}</span>']
    in_mark = False
    for piece, is_copied in zip(pieces[context_count:], copied, strict=True):
        if is_copied and not in_mark:
            word = piece.lstrip(" ")
            parts.append(html.escape(piece[: len(piece) - len(word)]) + '<mark class="nw-copied">')
            piece, in_mark = word, True
        elif not is_copied and in_mark:
            parts.append("</mark>")
            in_mark = False
        parts.append(html.escape(piece))
    if in_mark:
        parts.append("</mark>")
    return f'<div class="nw-text">{"".join(parts)}</div>'


def story_quote_html(symbols, start: int, length: int, symbol_mode: str, around: int = 8) -> str:
    """HTML of the story around symbols[start:start + length], that stretch marked, all text escaped."""
    begin, end = max(0, start - around), min(len(symbols), start + length + around)
    pieces = detokenize_pieces(symbols[begin:end], symbol_mode)
    offset = start - begin
    run = "".join(pieces[offset : offset + length])
    word = run.lstrip(" ")
    before = "".join(pieces[:offset]) + run[: len(run) - len(word)]
    after = "".join(pieces[offset + length :])
    opening = "… " if begin > 0 else ""
    closing = " …" if end < len(symbols) else ""
    return (
        f'{opening}{html.escape(before)}<mark class="nw-copied">{html.escape(word)}</mark>'
        f"{html.escape(after)}{closing}"
    )


def longest_run_html(story: Story, copies: CopiedText, held_out_start: int) -> str:
    """Where in the story the longest copied run comes from, quoted around it (escaped)."""
    offset = copies.story_offset
    part = " (in the held-out part, never trained on)" if offset >= held_out_start else ""
    quote = story_quote_html(story.symbols, offset, copies.longest_run, story.config.symbol_mode)
    where = f"at symbol {offset + 1:,} of {story.symbol_count:,}{part}"
    return f'<div class="nw-quote">The longest copied run is the story\'s {where}: {quote}</div>'


# The presenter view, for a projector: large metrics, text and headings (see nextword/page/presenter.py).
PRESENTER_CSS = """<style>
[data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 3.4rem; }
[data-testid="stMain"] [data-testid="stMetricLabel"] p { font-size: 1.35rem; }
[data-testid="stMain"] .stMarkdown p, [data-testid="stMain"] .stMarkdown li { font-size: 1.4rem; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] p { font-size: 1.15rem; }
[data-testid="stMain"] pre code { font-size: 1.25rem; }
[data-testid="stMain"] h2 { font-size: 2.6rem; }
[data-testid="stMain"] .nw-text { font-size: 2.6rem; }
</style>"""
