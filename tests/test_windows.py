"""Windows: shapes and dtypes, the fable's accuracy ceiling, the article's order, splits."""

from __future__ import annotations

import numpy as np
import pytest

from nextword.corpus import Story
from nextword.errors import ContextLengthError, StoryTooShortError
from nextword.vocab import Vocabulary
from nextword.windows import (
    accuracy_ceiling,
    article_order,
    make_windows,
    next_symbol_counts,
    split_windows,
)


@pytest.fixture(scope="module")
def fable_windows(fable_story: Story) -> tuple[Vocabulary, np.ndarray, np.ndarray]:
    vocabulary = Vocabulary.from_symbols(fable_story.symbols)
    contexts, targets = make_windows(vocabulary.encode(fable_story.symbols), 3)
    return vocabulary, contexts, targets


def test_make_windows_shapes_and_sparse_labels() -> None:
    contexts, targets = make_windows([5, 6, 7, 8, 9], 3)
    assert contexts.dtype == np.int32 and targets.dtype == np.int32
    assert contexts.tolist() == [[5, 6, 7], [6, 7, 8]]
    assert targets.tolist() == [8, 9]


def test_make_windows_refuses_too_short() -> None:
    with pytest.raises(StoryTooShortError, match="has 3 symbols"):
        make_windows([1, 2, 3], 3)


def test_fable_accuracy_ceiling(fable_windows: tuple[Vocabulary, np.ndarray, np.ndarray]) -> None:
    _, contexts, targets = fable_windows
    assert len(targets) == 201
    assert accuracy_ceiling(contexts, targets) == 199


def test_accuracy_ceiling_small_case() -> None:
    contexts = np.array([[1, 2], [1, 2], [1, 2], [3, 4]])
    targets = np.array([5, 6, 5, 7])
    assert accuracy_ceiling(contexts, targets) == 3


def test_article_order_follows_the_article() -> None:
    order = article_order(n_windows=201, n_input=3, steps=120, seed=0)
    random_state = np.random.RandomState(0)
    expected: list[int] = []
    offset = random_state.randint(0, 5)
    while len(expected) < 120:
        if offset > 200:
            offset = random_state.randint(0, 5)
        expected.append(offset)
        offset += 4
    assert order.tolist() == expected
    assert np.array_equal(order, article_order(201, 3, 120, 0))
    assert not np.array_equal(order, article_order(201, 3, 120, 1))


def test_article_order_stays_inside_tiny_stories() -> None:
    order = article_order(n_windows=2, n_input=3, steps=50, seed=3)
    assert order.min() >= 0 and order.max() <= 1


def test_next_symbol_counts(fable_windows: tuple[Vocabulary, np.ndarray, np.ndarray]) -> None:
    vocabulary, contexts, targets = fable_windows
    counts = next_symbol_counts(contexts, targets, vocabulary.encode(["could", "easily", "retire"]))
    assert counts == {vocabulary.id_of("while"): 1}
    counts = next_symbol_counts(contexts, targets, vocabulary.encode(["got", "up", "and"]))
    assert counts == {vocabulary.id_of("said"): 2}
    assert next_symbol_counts(contexts, targets, [0, 0, 0]) == {}
    with pytest.raises(ContextLengthError):
        next_symbol_counts(contexts, targets, [0, 1])


def test_split_windows_is_seeded_and_complete() -> None:
    contexts = np.arange(40).reshape(20, 2)
    targets = np.arange(20)
    train_c, train_t, held_c, held_t = split_windows(contexts, targets, 0.25, seed=0)
    assert len(held_t) == 5 and len(train_t) == 15
    assert sorted(train_t.tolist() + held_t.tolist()) == list(range(20))
    assert np.array_equal(train_c[:, 1] // 2, train_t)  # Rows stay paired with their targets.
    assert np.array_equal(held_t, split_windows(contexts, targets, 0.25, seed=0)[3])
    assert len(split_windows(contexts[:1], targets[:1], 0.5, seed=0)[1]) == 1
