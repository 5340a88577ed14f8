"""Symbols ↔ ids: the story's dictionary and reverse dictionary (the article's Listing 2).

Ids are ranked by frequency, the most frequent symbol first, and ties are broken by first
appearance in the story, so the same story always gives the same ids (the article's dictionary
changed from run to run). With more distinct symbols than `max_size`, the `max_size - 1` most
frequent keep their own ids and all the others share the last id, `RARE_SYMBOL`: encoding one of
them gives that id, and decoding that id gives `RARE_SYMBOL`. A symbol the story never had is
refused with `UnknownSymbolError`, which names every unknown word with up to three close known
symbols (difflib) so that a person can fix the typo.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from nextword.errors import CheckpointError, SettingsError, UnknownSymbolError

RARE_SYMBOL = "⟨rare⟩"
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
        # Symbols of the story that lost their own id to the size cap; they encode to RARE_SYMBOL.
        self.capped: frozenset[str] = frozenset(capped)
        self._ids: dict[str, int] = {symbol: index for index, symbol in enumerate(self.symbols)}
        if self.capped and RARE_SYMBOL not in self._ids:
            raise ValueError(f"Capped symbols need the {RARE_SYMBOL} symbol in the vocabulary.")

    @classmethod
    def from_symbols(cls, symbols: Iterable[str], max_size: int = 20_000) -> Vocabulary:
        """Build from a story's symbols: ids by frequency, ties by first appearance, at most max_size."""
        if max_size < 2:
            raise SettingsError(
                f"max_size must be at least 2 (one symbol and {RARE_SYMBOL}); got {max_size}."
            )
        # A Counter keeps insertion order, that is first appearance, and `sorted` is stable.
        counter = Counter(symbols)
        ranked = sorted(counter.items(), key=lambda item: -item[1])
        if len(ranked) <= max_size:
            return cls([symbol for symbol, _ in ranked], [count for _, count in ranked])
        kept, dropped = ranked[: max_size - 1], ranked[max_size - 1 :]
        # The rare symbol takes the last id whatever its total count, so kept ids never move.
        kept = [(symbol, count) for symbol, count in kept if symbol != RARE_SYMBOL]
        rare_count = sum(count for _, count in dropped) + counter.get(RARE_SYMBOL, 0)
        capped = [symbol for symbol, _ in dropped if symbol != RARE_SYMBOL]
        return cls(
            [symbol for symbol, _ in kept] + [RARE_SYMBOL],
            [count for _, count in kept] + [rare_count],
            capped,
        )

    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol: object) -> bool:
        """True when `encode` accepts the symbol (it has an id, or it was capped to RARE_SYMBOL)."""
        return symbol in self._ids or symbol in self.capped

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return (self.symbols, self.counts, self.capped) == (other.symbols, other.counts, other.capped)

    def __repr__(self) -> str:
        preview = ", ".join(repr(symbol) for symbol in self.symbols[:5])
        return f"Vocabulary({len(self)} symbols: {preview}{', ...' if len(self) > 5 else ''})"

    @property
    def rare_id(self) -> int | None:
        """The id shared by capped symbols, or None when nothing was capped."""
        return self._ids[RARE_SYMBOL] if self.capped else None

    def capped_note(self, cap: int) -> str | None:
        """What capping did, for people (the page and the CLI); None when nothing was capped."""
        if not self.capped:
            return None
        return (
            f"A very large vocabulary: the {len(self) - 1:,} most frequent symbols keep their own id, and "
            f"the {len(self.capped):,} rarest share one symbol, {RARE_SYMBOL} (the vocabulary is capped at "
            f"{cap:,} symbols to keep training fast)."
        )

    def id_of(self, symbol: str) -> int:
        """The symbol's id (RARE_SYMBOL's for a capped one); UnknownSymbolError if never seen."""
        return self.encode([symbol])[0]

    def symbol_of(self, symbol_id: int) -> str:
        if not 0 <= symbol_id < len(self.symbols):
            raise IndexError(f"Symbol id {symbol_id} is outside the vocabulary's 0..{len(self.symbols) - 1}.")
        return self.symbols[symbol_id]

    def encode(self, symbols: Iterable[str]) -> list[int]:
        """Symbols → ids. Raises UnknownSymbolError naming every symbol the story never had."""
        symbols = list(symbols)
        ids = self._ids
        rare_id = self.rare_id
        encoded: list[int] = []
        unknown: list[str] = []
        for symbol in symbols:
            symbol_id = ids.get(symbol)
            if symbol_id is None:
                if symbol in self.capped:
                    symbol_id = rare_id
                elif symbol not in unknown:
                    unknown.append(symbol)
            encoded.append(symbol_id if symbol_id is not None else -1)
        if unknown:
            raise self._unknown_error(unknown)
        return encoded

    def decode(self, ids: Iterable[int]) -> list[str]:
        """Ids → symbols (RARE_SYMBOL for the shared rare id)."""
        return [self.symbol_of(int(symbol_id)) for symbol_id in ids]

    def suggest(self, word: str, n: int = 3) -> list[str]:
        """Up to n known symbols that look like `word` (closest first)."""
        candidates = [symbol for symbol in self.symbols if symbol != RARE_SYMBOL]
        return difflib.get_close_matches(word, candidates, n=n, cutoff=0.6)

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
            "rare_symbol": RARE_SYMBOL,
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
        suggestions = {word: self.suggest(word) for word in unknown}
        described = []
        for word in unknown:
            close = suggestions[word]
            hint = f" (did you mean {', '.join(repr(symbol) for symbol in close)}?)" if close else ""
            described.append(f"{word!r}{hint}")
        message = (
            f"The story does not contain {'these words' if len(unknown) > 1 else 'this word'}: "
            f"{'; '.join(described)}. The model knows only the story's words; please use words from it."
        )
        return UnknownSymbolError(message, unknown, suggestions)
