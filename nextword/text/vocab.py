"""Symbols ↔ ids: the story's dictionary and reverse dictionary (the article's Listing 2).

Ids are ranked by frequency, the most frequent symbol first, and ties are broken by first
appearance in the story, so the same story always gives the same ids (the article's dictionary
changed from run to run). Symbols without an id of their own share the last id, `UNKNOWN_SYMBOL`
(⟨unk⟩): the rarest beyond `max_size`, and, when the story's end is held out, the training part's
symbols seen only once (so the network trains on ⟨unk⟩ and can give it a probability). A typed
symbol the story never had is refused with `UnknownSymbolError`, which names every unknown word
with up to three close known symbols (difflib) so that a person can fix the typo; the held-out
part of a story is encoded with `encode_text`, which maps such symbols to ⟨unk⟩.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from nextword.errors import CheckpointError, SettingsError, UnknownSymbolError

UNKNOWN_SYMBOL = "⟨unk⟩"
FORMAT_VERSION = 1


class Vocabulary:
    """The symbols of one story with their ids and counts."""

    def __init__(self, symbols: Sequence[str], counts: Sequence[int], capped: Iterable[str] = ()):
        """Use `from_symbols` or `from_dict`; this takes the id-ordered symbols and their counts."""
        if len(symbols) != len(counts):
            raise ValueError(f"{len(symbols)} symbols but {len(counts)} counts.")
        if len(set(symbols)) != len(symbols):
            raise ValueError("The vocabulary's symbols must be distinct.")
        # id → symbol and id → number of occurrences in the story.
        self.symbols: tuple[str, ...] = tuple(symbols)
        self.counts: tuple[int, ...] = tuple(int(count) for count in counts)
        # Symbols of the story that share UNKNOWN_SYMBOL's id (too rare for one of their own).
        self.capped: frozenset[str] = frozenset(capped)
        self._ids: dict[str, int] = {symbol: index for index, symbol in enumerate(self.symbols)}
        if self.capped and UNKNOWN_SYMBOL not in self._ids:
            raise ValueError(f"Pooled symbols need the {UNKNOWN_SYMBOL} symbol in the vocabulary.")

    @classmethod
    def from_symbols(
        cls, symbols: Iterable[str], max_size: int = 20_000, min_count: int = 1, with_unknown: bool = False
    ) -> Vocabulary:
        """Build from a story's symbols: ids by frequency, ties by first appearance, at most max_size.

        Symbols seen fewer than `min_count` times, and the rarest beyond `max_size`, share
        UNKNOWN_SYMBOL; `with_unknown` keeps that symbol even when none does (held-out text may need it).
        """
        if max_size < 2:
            raise SettingsError(
                f"max_size must be at least 2 (one symbol and {UNKNOWN_SYMBOL}); got {max_size}."
            )
        # A Counter keeps insertion order, that is first appearance, and `sorted` is stable.
        counter = Counter(symbols)
        ranked = sorted(counter.items(), key=lambda item: -item[1])
        kept = [(symbol, count) for symbol, count in ranked if count >= min_count]
        if len(kept) == len(ranked) <= max_size and not with_unknown:
            return cls([symbol for symbol, _ in ranked], [count for _, count in ranked])
        kept = [(symbol, count) for symbol, count in kept[: max_size - 1] if symbol != UNKNOWN_SYMBOL]
        own = {symbol for symbol, _ in kept}
        pooled = [symbol for symbol, _ in ranked if symbol not in own and symbol != UNKNOWN_SYMBOL]
        # The unknown symbol takes the last id whatever its count, so kept ids never move.
        unknown_count = sum(counter[symbol] for symbol in pooled) + counter.get(UNKNOWN_SYMBOL, 0)
        return cls(
            [symbol for symbol, _ in kept] + [UNKNOWN_SYMBOL],
            [count for _, count in kept] + [unknown_count],
            pooled,
        )

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol: object) -> bool:
        """True when `encode` accepts the symbol (it has an id, or it was capped to UNKNOWN_SYMBOL)."""
        return symbol in self._ids or symbol in self.capped

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return (self.symbols, self.counts, self.capped) == (other.symbols, other.counts, other.capped)

    @property
    def unknown_id(self) -> int | None:
        """The id of UNKNOWN_SYMBOL, or None when the vocabulary has none."""
        return self._ids.get(UNKNOWN_SYMBOL)

    def capped_note(self, cap: int) -> str | None:
        """What pooling rare symbols did, for people (the page and the CLI); None when nothing was."""
        if not self.capped:
            return None
        if len(self) < cap:
            return (
                f"The {len(self.capped):,} symbols seen only once in the part the model trains on share one "
                f"symbol, {UNKNOWN_SYMBOL}, as do held-out words it never trains on: so the model learns "
                f"how likely an unfamiliar word is, and both models are scored fairly on them."
            )
        return (
            f"A very large vocabulary: the {len(self) - 1:,} most frequent symbols keep their own id, and "
            f"the {len(self.capped):,} rarest share one symbol, {UNKNOWN_SYMBOL} (the vocabulary is capped "
            f"at {cap:,} symbols to keep training fast)."
        )

    def id_of(self, symbol: str) -> int:
        """The symbol's id (UNKNOWN_SYMBOL's for a capped one); UnknownSymbolError if never seen."""
        return self.encode([symbol])[0]

    def symbol_of(self, symbol_id: int) -> str:
        if not 0 <= symbol_id < len(self.symbols):
            raise IndexError(f"Symbol id {symbol_id} is outside the vocabulary's 0..{len(self.symbols) - 1}.")
        return self.symbols[symbol_id]

    def encode(self, symbols: Iterable[str]) -> list[int]:
        """Symbols → ids. Raises UnknownSymbolError naming every symbol the story never had."""
        symbols = list(symbols)
        unknown = list(dict.fromkeys(symbol for symbol in symbols if symbol not in self))
        if unknown:
            raise self._unknown_error(unknown)
        return [self._ids.get(symbol, self.unknown_id) for symbol in symbols]

    def encode_text(self, symbols: Iterable[str]) -> tuple[list[int], int]:
        """A story's symbols → ids, each one never seen as UNKNOWN_SYMBOL; and how many were never seen."""
        ids, unknown_id = self._ids, self.unknown_id
        encoded = [ids.get(symbol, unknown_id) for symbol in symbols]
        unseen = sum(1 for symbol in symbols if symbol not in ids and symbol not in self.capped)
        if unseen and unknown_id is None:
            raise ValueError(f"{unseen} symbols are unknown and the vocabulary has no {UNKNOWN_SYMBOL}.")
        return encoded, unseen

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids → symbols (UNKNOWN_SYMBOL for the shared rare id)."""
        return [self.symbol_of(int(symbol_id)) for symbol_id in ids]

    def rows(self) -> list[tuple[str, int, int]]:
        """(symbol, id, count) per id, for a table."""
        return [
            (symbol, index, count)
            for index, (symbol, count) in enumerate(zip(self.symbols, self.counts, strict=True))
        ]

    def to_dict(self) -> dict[str, Any]:
        """Everything `from_dict` needs to encode and decode exactly as this vocabulary does."""
        return {
            "format_version": FORMAT_VERSION,
            "symbols": list(self.symbols),
            "counts": list(self.counts),
            "unknown_symbol": UNKNOWN_SYMBOL,
            "capped": sorted(self.capped),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Vocabulary:
        """Rebuild from `to_dict`'s output; CheckpointError for another format or damaged data."""
        if not isinstance(data, dict):
            raise CheckpointError("The vocabulary file is damaged: it does not hold a JSON object.")
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise CheckpointError(
                f"The vocabulary file has format version {version!r}; this app reads version "
                f"{FORMAT_VERSION}. Train the model again with this version of the app."
            )
        try:
            return cls(data["symbols"], data["counts"], data.get("capped", ()))
        except (KeyError, TypeError, ValueError) as error:
            raise CheckpointError(
                f"The vocabulary file is damaged ({error}). Train the model again."
            ) from None

    def _unknown_error(self, unknown: list[str]) -> UnknownSymbolError:
        # Up to three known symbols that look like each unknown word, closest first.
        candidates = [symbol for symbol in self.symbols if symbol != UNKNOWN_SYMBOL]
        suggestions = {word: difflib.get_close_matches(word, candidates, n=3, cutoff=0.6) for word in unknown}
        described = []
        for word, close in suggestions.items():
            hint = f" (did you mean {', '.join(repr(symbol) for symbol in close)}?)" if close else ""
            described.append(f"{word!r}{hint}")
        message = (
            f"The model never read {'these words' if len(unknown) > 1 else 'this word'}: "
            f"{'; '.join(described)}. It knows only the words of the story it trained on (not those held "
            "out); please use words from it."
        )
        return UnknownSymbolError(message, unknown, suggestions)
