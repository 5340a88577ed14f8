"""The address is the lesson: settings, story and view read from a query string, and written back.

No Streamlit here: plain dicts of strings in, plain values and one-line notices out, so every rule
can be tested alone. Each setting sits under its config field's own name (`n_input=4`,
`optimizer=rmsprop`); `story` is a bundled story's name or an uploaded story's digest; `present=1`
opens the presenter view and `hide=optimizer,compare` hides controls or sections. A value from the
address is only ever compared with, or converted to, a known value: never evaluated, never used as
a path, and quoted in a notice only after `escape_markdown`.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nextword.page.format import escape_markdown
from nextword.page.options import SETTING_OPTIONS, nearest

# The sections a lesson link can hide (the settings' own names hide their controls).
SECTIONS = ("story", "experiments", "compare", "predict", "generate", "inside", "keep", "advanced")
HIDEABLE = frozenset(SETTING_OPTIONS) | frozenset(SECTIONS)
QUOTED_CHARACTERS = 30  # of a bad value, quoted in its notice
DIGEST_CHARACTERS = 16  # of an uploaded story's SHA-256, in the address
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def quoted(value: str) -> str:
    """A value from the address, shortened and made inert for markdown."""
    text = value if len(value) <= QUOTED_CHARACTERS else value[:QUOTED_CHARACTERS] + "…"
    return f"“{escape_markdown(text)}”"


def story_digest(data: bytes) -> str:
    """The name an uploaded story has in the address: the start of its bytes' SHA-256."""
    return hashlib.sha256(data).hexdigest()[:DIGEST_CHARACTERS]


def read_setting(name: str, raw: str, default: Any) -> tuple[Any, str | None]:
    """One setting from its text in the address: (the value to use, a notice or None)."""
    options = SETTING_OPTIONS[name]
    text = raw.strip()
    if isinstance(default, bool):
        if text.lower() in TRUE_WORDS + FALSE_WORDS:
            return text.lower() in TRUE_WORDS, None
        return default, f"{name}={quoted(raw)} is not on or off: using {'on' if default else 'off'}."
    if isinstance(default, str):
        if text in options:
            return text, None
        return default, f"{name}={quoted(raw)} is not one of {', '.join(options)}: using {default}."
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        return default, f"{name}={quoted(raw)} is not a number: using {default:g}."
    if isinstance(options, range):
        low, high = options.start, options.stop - 1
        value = max(low, min(round(number), high))
        if value != number:
            return (
                value,
                f"{name}={quoted(raw)} is not a whole number from {low:,} to {high:,}: using {value:,}.",
            )
        return value, None
    value = type(default)(nearest(options, number))
    if value != number:
        return value, f"{name}={quoted(raw)} is not offered: using the nearest, {value:g}."
    return value, None


@dataclass
class Lesson:
    """What an address asks for: settings, a story, the run, the view, and what was wrong with it."""

    settings: dict[str, Any] = field(default_factory=dict)  # only the settings the address names
    story: str | None = None
    run: str | None = None
    present: bool = False
    hide: frozenset[str] = frozenset()
    notices: list[str] = field(default_factory=list)


def read_address(params: Mapping[str, str], defaults: Mapping[str, Any]) -> Lesson:
    """The lesson an address describes; unknown names are ignored, bad values replaced, with a notice."""
    lesson = Lesson()
    for name, raw in params.items():
        if not isinstance(raw, str):  # a repeated name: the last one counts
            raw = raw[-1] if raw else ""
        if name in defaults:
            value, notice = read_setting(name, raw, defaults[name])
            lesson.settings[name] = value
            if notice:
                lesson.notices.append(notice)
        elif name == "story" and raw.strip():
            lesson.story = raw.strip()
        elif name == "run":
            text = raw.strip().lower()
            if len(text) == 12 and all(character in "0123456789abcdef" for character in text):
                lesson.run = text
            elif text:
                lesson.notices.append(f"run={quoted(raw)} is not a run's name: ignored.")
        elif name == "present":
            lesson.present = raw.strip().lower() in TRUE_WORDS
        elif name == "hide":
            wanted = [part.strip() for part in raw.split(",") if part.strip()]
            lesson.hide = frozenset(part for part in wanted if part in HIDEABLE)
            unknown = [quoted(part) for part in wanted if part not in HIDEABLE]
            if unknown:
                lesson.notices.append(f"hide: {', '.join(unknown)} is no control or section: ignored.")
    return lesson


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def address_of(
    settings: Mapping[str, Any], story: str | None, run: str | None, present: bool, hide
) -> dict[str, str]:
    """The query string of a lesson, in a fixed order: settings, story, run, view."""
    params = {name: _text(settings[name]) for name in SETTING_OPTIONS if name in settings}
    if story:
        params["story"] = story
    if run:
        params["run"] = run
    if present:
        params["present"] = "1"
    if hide:
        params["hide"] = ",".join(sorted(hide))
    return params


class StoryShelf:
    """Uploaded stories by digest, so a link naming one finds it while the server keeps it (LRU)."""

    def __init__(self, max_kept: int = 32):
        self.max_kept = max_kept
        self._stories: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, data: bytes, name: str) -> str:
        digest = story_digest(data)
        with self._lock:
            self._stories[digest] = (data, name)
            self._stories.move_to_end(digest)
            while len(self._stories) > self.max_kept:
                self._stories.popitem(last=False)
        return digest

    def get(self, digest: str) -> tuple[bytes, str] | None:
        with self._lock:
            found = self._stories.get(digest)
            if found is not None:
                self._stories.move_to_end(digest)
            return found
