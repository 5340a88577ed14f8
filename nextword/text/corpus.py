"""Text → symbols, and the `Story` a run trains on.

Symbols (`tokenize`), word mode: a word is a run of letters, digits and combining marks in any
script; **the one joining rule: an apostrophe (' or ’) or a hyphen between two word characters
keeps them in one word** ("don't", "l'odeur", "well-known"). Every other character that is not
whitespace (punctuation, symbols, emoji, "_") is a symbol of its own. Text is lower-cased unless
asked otherwise. Character mode: every character is a symbol and each run of whitespace becomes
`SPACE_SYMBOL`. Bytes become text in `nextword.text.decoding`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nextword.config import CorpusConfig
from nextword.errors import EmptyStoryError, NeedsCharacterModeError, SettingsError, StoryTooShortError
from nextword.text.decoding import DecodedStory, decode_story, decode_text

SPACE_SYMBOL = "␣"

DATA_DIRECTORY = Path(__file__).resolve().parents[2] / "data"
DEFAULT_STORY = "Belling the Cat (Aesop, the article's fable)"
_BUNDLED_FILES: dict[str, str] = {
    DEFAULT_STORY: "belling_the_cat.txt",
    "The Hare and the Tortoise, and two more (Aesop)": "aesop_fables.txt",
    "Le Corbeau et le Renard, La Cigale et la Fourmi (La Fontaine)": "la_fontaine_fables.txt",
    "Die Sterntaler (Brüder Grimm)": "sterntaler.txt",
    "Tiny Shakespeare: 40,000 lines of his plays (a long story)": "tiny_shakespeare.txt",
}


# Apostrophes and hyphens that join two words into one: ' ’ - ‐ ‑
_JOINERS = "'\u2019\\-\u2010\u2011"


@functools.cache
def _symbol_pattern() -> re.Pattern[str]:
    """A word, or else any single non-space character with the combining marks (\\p{M}) on it.

    Python's `re` has no \\p{M} and its \\w leaves marks out, which would cut Devanagari, Thai or
    Arabic words after every vowel sign, so the marks are found by scanning the first two planes
    (above them only the variation selectors supplement holds marks). The scan is slow enough to
    delay the page's first paint, so it runs on the first story, not at import.
    """
    ranges: list[tuple[int, int]] = [(0x200C, 0x200D)]  # Zero-width (non-)joiners sit inside words.
    start: int | None = None
    for code_point in range(0x0300, 0x20000):
        if unicodedata.category(chr(code_point)).startswith("M"):
            if start is None:
                start = code_point
        elif start is not None:
            ranges.append((start, code_point - 1))
            start = None
    ranges.append((0xE0100, 0xE01EF))
    marks = "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges)
    # A word character: a letter, digit or combining mark. \w also matches "_", which must be a
    # symbol of its own; `tokenize` puts spaces around underscores first, as one class is faster.
    word_character = rf"[\w{marks}]"
    return re.compile(rf"{word_character}+(?:[{_JOINERS}]{word_character}+)*|\S[{marks}]*")


_WHITESPACE_RUN = re.compile(r"\s+")

# Scripts written without spaces between words; word mode makes whole sentences one "word".
_UNSPACED_SCRIPT_CHARACTERS = re.compile(
    "["
    "\u0e00-\u0eff"  # Thai, Lao
    "\u0f00-\u0fff"  # Tibetan
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uff66-\uff9f"  # half-width Katakana
    "\U00020000-\U0003134f"  # CJK extensions B and later
    "]"
)
# Share of unspaced-script characters above which word mode is refused.
_UNSPACED_SHARE_LIMIT = 0.3
# "Words" this long are sentences glued together (a script we did not list above).
_LONG_WORD_LENGTH = 30

# Detokenizing: no space before closing punctuation, none after opening brackets and quotes.
_NO_SPACE_BEFORE = frozenset(",.;:!?)]}»”’…%、。，．！？：；）」』】〉》")
_NO_SPACE_AFTER = frozenset("([{«“‘¿¡「『【〈《（")
_STRAIGHT_QUOTES = frozenset("\"'")


@dataclass(frozen=True)
class Story:
    """A story ready for training: its text, how it was read, and its symbols."""

    # The decoded, normalized text (line ends "\n", NFC).
    text: str
    # The encoding the bytes were read with ("unicode" when text was passed in directly).
    encoding: str
    # Words and punctuation marks (word mode) or characters (character mode), in order.
    symbols: tuple[str, ...]
    # The settings that turned the text into symbols.
    config: CorpusConfig
    # A name to show (a file name or a bundled story's title).
    name: str
    # What the person should know about how the bytes were read (a guessed encoding, damaged bytes).
    encoding_note: str | None = None

    @functools.cached_property
    def digest(self) -> str:
        """SHA-256 (hex) of the symbols and the config: equal digests mean equal training data."""
        hasher = hashlib.sha256(json.dumps(self.config.to_dict(), sort_keys=True).encode("utf-8"))
        # A unit separator between symbols, so ("ab", "c") and ("a", "bc") differ.
        hasher.update("\x1f".join(self.symbols).encode("utf-8"))
        return hasher.hexdigest()

    @property
    def symbol_count(self) -> int:
        return len(self.symbols)


# ----- symbols -----


def _check_word_mode_fits(text: str, symbols: Sequence[str]) -> None:
    """Raise NeedsCharacterModeError for text written mostly without spaces between words."""
    # In word mode the symbols hold every non-space character.
    non_space = sum(map(len, symbols))
    if non_space == 0:
        return
    unspaced = sum(len(run) for run in _UNSPACED_SCRIPT_CHARACTERS.findall(text))
    long_word_characters = sum(len(symbol) for symbol in symbols if len(symbol) > _LONG_WORD_LENGTH)
    if unspaced / non_space >= _UNSPACED_SHARE_LIMIT:
        reason = (
            f"{unspaced / non_space:.0%} of its characters are from scripts written without spaces "
            "between words (Chinese, Japanese, Thai...)"
        )
    elif long_word_characters / non_space >= 0.5:
        reason = f"most of it is in 'words' longer than {_LONG_WORD_LENGTH} characters"
    else:
        return
    raise NeedsCharacterModeError(
        f"Word mode does not fit this text: {reason}, so whole sentences would become single symbols. "
        "Choose character mode (every character is a symbol) instead."
    )


def tokenize(
    text: str, symbol_mode: str = "words", lowercase: bool = True, check_spacing: bool = True
) -> list[str]:
    """Split text into symbols (see the module docstring for the rule).

    `check_spacing=False` skips the NeedsCharacterModeError check, for short inputs such as a
    prediction context that happens to hold a Japanese name.
    """
    if lowercase:
        text = text.lower()
    if symbol_mode == "characters":
        return list(_WHITESPACE_RUN.sub(SPACE_SYMBOL, text.strip()))
    if symbol_mode != "words":
        raise SettingsError(f"symbol_mode must be 'words' or 'characters'; got {symbol_mode!r}.")
    symbols = _symbol_pattern().findall(text.replace("_", " _ "))
    if check_spacing:
        _check_word_mode_fits(text, symbols)
    return symbols


def detokenize(symbols: Iterable[str], symbol_mode: str = "words") -> str:
    """Symbols back to readable text.

    Character mode joins them and turns SPACE_SYMBOL into a space. Word mode puts one space
    between symbols except before closing punctuation (, . ! ? ) » ...) and after opening
    brackets and quotes; straight quotes alternate between opening and closing.
    """
    return "".join(detokenize_pieces(symbols, symbol_mode))


def detokenize_pieces(symbols: Iterable[str], symbol_mode: str = "words") -> list[str]:
    """The text of each symbol as `detokenize` writes it, with the space before it if there is one.

    Joined, the pieces are `detokenize`'s text; one by one, they let a reader mark single symbols.
    """
    if symbol_mode == "characters":
        return [" " if symbol == SPACE_SYMBOL else symbol for symbol in symbols]
    pieces: list[str] = []
    no_space_next = True  # Nothing goes before the first symbol.
    open_quotes: set[str] = set()
    for symbol in symbols:
        if symbol in _STRAIGHT_QUOTES:
            closing = symbol in open_quotes
            open_quotes ^= {symbol}
            pieces.append(symbol if closing or no_space_next else " " + symbol)
            no_space_next = not closing
            continue
        space = not no_space_next and symbol not in _NO_SPACE_BEFORE
        pieces.append(" " + symbol if space else symbol)
        no_space_next = symbol in _NO_SPACE_AFTER
    return pieces


# ----- stories -----


def load_story(data: bytes | str, config: CorpusConfig | None = None, name: str = "story") -> Story:
    """Bytes (an upload) or text (typed in) → a Story; raises StoryError subclasses."""
    config = config if config is not None else CorpusConfig()
    if isinstance(data, str):
        decoded = DecodedStory(decode_text(data, max_bytes=config.max_bytes), "unicode")
    else:
        decoded = decode_story(data, max_bytes=config.max_bytes)
    symbols = tokenize(decoded.text, config.symbol_mode, config.lowercase)
    if not symbols:
        raise EmptyStoryError("The story holds no words. Paste or upload a text with some words.")
    return Story(decoded.text, decoded.encoding, tuple(symbols), config, name, decoded.note)


def check_story_length(symbol_count: int, n_input: int) -> None:
    """Raise StoryTooShortError unless the story holds at least one window (n_input + 1 symbols)."""
    needed = n_input + 1
    if symbol_count < needed:
        raise StoryTooShortError(
            f"The story has {symbol_count} symbol{'s' if symbol_count != 1 else ''}; it needs at least "
            f"{needed} ({n_input} to read and 1 to predict). Add more text, or lower n_input."
        )


def bundled_stories() -> dict[str, Path]:
    """Display title → file of the stories shipped in data/ (the article's fable first)."""
    return {title: DATA_DIRECTORY / file_name for title, file_name in _BUNDLED_FILES.items()}
