"""Windows: shapes and dtypes, the fable's accuracy ceiling, the article's order, the hold-out."""

from __future__ import annotations

import numpy as np
import pytest

from nextword.errors import ContextLengthError, HoldoutError, StoryTooShortError
from nextword.text.corpus import Story
from nextword.text.vocab import Vocabulary
from nextword.text.windows import (
    accuracy_ceiling,
    article_order,
    holdout_split,
    make_windows,
    next_symbol_counts,
)
from tests.conftest import FABLE_RIGHT_POSSIBLE, FABLE_SYMBOLS, FABLE_WINDOWS


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
    assert len(targets) == FABLE_WINDOWS
    assert accuracy_ceiling(contexts, targets) == FABLE_RIGHT_POSSIBLE


def test_accuracy_ceiling_small_case() -> None:
    contexts = np.array([[1, 2], [1, 2], [1, 2], [3, 4]])
    targets = np.array([5, 6, 5, 7])
    assert accuracy_ceiling(contexts, targets) == 3


def test_article_order_follows_the_article() -> None:
    order = article_order(n_windows=FABLE_WINDOWS, n_input=3, steps=120, seed=0)
    random_state = np.random.RandomState(0)
    expected: list[int] = []
    offset = random_state.randint(0, 5)
    while len(expected) < 120:
        if offset > 200:
            offset = random_state.randint(0, 5)
        expected.append(offset)
        offset += 4
    assert order.tolist() == expected
    assert np.array_equal(order, article_order(FABLE_WINDOWS, 3, 120, 0))
    assert not np.array_equal(order, article_order(FABLE_WINDOWS, 3, 120, 1))


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


def test_holdout_split_keeps_the_end_of_the_story_back() -> None:
    ids = np.arange(20)
    contexts, targets = make_windows(ids, 3)
    split = holdout_split(20, 3, 25)
    assert split.held_out_start == 15 and split.held_out_count == 5 and split.train_count == 12
    assert targets[split.held_out].tolist() == [15, 16, 17, 18, 19]
    assert targets[split.train].tolist() == list(range(3, 15))
    assert contexts[split.train].max() == 13  # The last training window reads 11..13 -> 14.
    # The first held-out window predicts the first held-out symbol from the last training ones.
    assert contexts[split.held_out][0].tolist() == [12, 13, 14]


@pytest.mark.parametrize("symbol_count", [5, 9, 37, FABLE_SYMBOLS, 1000])
@pytest.mark.parametrize("n_input", [1, 3, 4])
@pytest.mark.parametrize("percent", [0, 1, 12.5, 20, 50])
def test_holdout_split_never_lets_training_read_held_out_symbols(
    symbol_count: int, n_input: int, percent: float
) -> None:
    held_symbols = int(symbol_count * percent / 100 + 0.5)
    if symbol_count - held_symbols - n_input < 1 or (percent > 0 and held_symbols == 0):
        with pytest.raises(HoldoutError):  # Nothing left to train on, or nothing to test on.
            holdout_split(symbol_count, n_input, percent)
        return
    split = holdout_split(symbol_count, n_input, percent)
    windows = np.arange(symbol_count - n_input)
    train, held_out = windows[split.train], windows[split.held_out]
    assert len(train) == split.train_count >= 1 and len(held_out) == split.held_out_count
    assert np.array_equal(np.concatenate([train, held_out]), windows)  # No overlap, nothing lost.
    # Window i reads symbols i .. i + n_input - 1 and predicts symbol i + n_input.
    assert train.max() + n_input < split.held_out_start
    if percent == 0:
        assert split.held_out_count == 0 and split.held_out_start == symbol_count
    else:
        assert held_out.min() + n_input == split.held_out_start
        assert split.held_out_count == symbol_count - split.held_out_start == held_symbols


def test_holdout_split_of_the_fable(fable_windows: tuple[Vocabulary, np.ndarray, np.ndarray]) -> None:
    _, _, targets = fable_windows
    split = holdout_split(FABLE_SYMBOLS, 3, 20)
    assert (split.train_count, split.held_out_count) == (160, 41)
    assert len(targets[split.train]) + len(targets[split.held_out]) == len(targets) == FABLE_WINDOWS


def test_holdout_split_of_zero_trains_on_every_window() -> None:
    split = holdout_split(4, 3, 0)
    assert split.train == slice(0, 1) and split.held_out_count == 0
    assert np.arange(1)[split.held_out].size == 0


@pytest.mark.parametrize("percent", [-1, 50.5, 80, float("nan"), True, "20"])
def test_holdout_refuses_percentages_out_of_range(percent: object) -> None:
    with pytest.raises(HoldoutError, match="percentage from 0 to 50"):
        holdout_split(1000, 3, percent)  # type: ignore[arg-type]


def test_holdout_refuses_to_leave_nothing_to_train_or_test_on() -> None:
    with pytest.raises(HoldoutError, match="leaves 3 symbols to train on.*needs 4"):
        holdout_split(5, 3, 40)
    with pytest.raises(HoldoutError, match="keeps no symbol back.*at least 2%"):
        holdout_split(30, 3, 1)
    with pytest.raises(HoldoutError, match="too short to hold any of it out"):
        holdout_split(4, 3, 10)
    with pytest.raises(StoryTooShortError):
        holdout_split(3, 3, 0)
    assert holdout_split(30, 3, 2).held_out_count == 1


def test_the_lowest_loss_is_the_entropy_of_what_follows_each_context() -> None:
    from nextword.text.windows import lowest_loss

    # Context (1, 2) is followed by 3 twice and 4 twice: each costs ln 2; context (5, 6) by 7 alone.
    contexts = np.array([[1, 2], [1, 2], [1, 2], [1, 2], [5, 6]])
    targets = np.array([3, 4, 3, 4, 7])
    assert lowest_loss(contexts, targets) == pytest.approx(4 * np.log(2) / 5)
    assert lowest_loss(contexts[4:], targets[4:]) == 0.0


def test_training_data_gives_back_the_story_ids_from_its_windows(fable_story) -> None:
    """What the reading strip reads: every place's id, equal to encoding the story again."""
    from nextword.config import ModelConfig
    from nextword.text.dataset import prepare_training_data

    for n_input in (1, 3, 5):
        data = prepare_training_data(fable_story, ModelConfig(n_input=n_input))
        assert data.story_ids.tolist() == list(data.vocabulary.encode(fable_story.symbols))
        assert data.story_ids is data.story_ids, "computed once per run's data"
