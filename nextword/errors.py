"""Error classes: every failure a person can cause, with a message that says what to do.

All of them derive from `NextwordError`, itself a `ValueError`, so the page and the CLI can catch
one class and show `str(error)` as it is: the messages are written for people, not for logs.
"""

from __future__ import annotations


class NextwordError(ValueError):
    """Base class: the message is meant to be shown to the user as it is."""


class SettingsError(NextwordError):
    """A setting is out of range or not one of its choices (a config value a person chose)."""


class StoryError(NextwordError):
    """The story cannot be used (see the subclasses)."""


class BinaryStoryError(StoryError):
    """The bytes are not text (an image, a PDF, an archive renamed .txt...)."""


class EmptyStoryError(StoryError):
    """The story has no symbols at all (empty or whitespace only)."""


class StoryTooShortError(StoryError):
    """The story has fewer symbols than one training window needs."""


class StoryTooLargeError(StoryError):
    """The story is over the size cap."""


class NeedsCharacterModeError(StoryError):
    """Word mode on a text written without spaces (Japanese, Chinese, Thai...)."""


class UnknownSymbolError(NextwordError):
    """A context holds words the vocabulary does not know.

    `unknown` lists them in order; `suggestions` maps each to up to three close known symbols.
    """

    def __init__(self, message: str, unknown: list[str], suggestions: dict[str, list[str]]):
        super().__init__(message)
        self.unknown = unknown
        self.suggestions = suggestions


class ContextLengthError(NextwordError):
    """A context is shorter than the model's n_input."""


class CheckpointError(NextwordError):
    """A run folder is missing, damaged, or of another format."""


class TrainingError(NextwordError):
    """Training could not run or produced a broken model (for example a NaN loss)."""


class RunGoneError(NextwordError):
    """A run key the server no longer keeps (dropped to make room, or from an old link)."""


class HoldoutError(NextwordError):
    """A hold-out percentage out of range, or one that leaves no window to train or to test on."""


class InsideError(NextwordError):
    """A pick the inside views cannot show: a place without a full context, a map without vectors..."""


class ServerBusyError(NextwordError):
    """The queue of waiting runs is full: a new run would wait too long (the message says how long)."""


class ShareUsedError(NextwordError):
    """A tab asked for another run while all the runs it may have at once are training."""


class RegistryUnreachableError(NextwordError):
    """The cluster that holds the runs (NEXTWORD_RAY_ADDRESS) cannot be reached."""
