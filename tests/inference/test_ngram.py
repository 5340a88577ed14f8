"""The n-gram baseline: counts, back-off, top-k, scoring up to the fable's ceiling, generation."""

from __future__ import annotations

import numpy as np
import pytest

from nextword.errors import ContextLengthError, NextwordError
from nextword.inference.ngram import NGramModel
from nextword.text.corpus import Story
from nextword.text.vocab import Vocabulary
from nextword.text.windows import accuracy_ceiling, make_windows
from tests.conftest import FABLE_RIGHT_POSSIBLE, FABLE_VOCABULARY, FABLE_WINDOWS

# ids 0 1 2 0 1 3 0 1 2 in windows of 2: (0 1)->2 twice and ->3 once, (1 2)->0, (2 0)->1, ...
SMALL_IDS = [0, 1, 2, 0, 1, 3, 0, 1, 2]


@pytest.fixture(scope="module")
def fable_model(fable_story: Story) -> tuple[Vocabulary, NGramModel, np.ndarray, np.ndarray]:
    vocabulary = Vocabulary.from_symbols(fable_story.symbols)
    contexts, targets = make_windows(vocabulary.encode(fable_story.symbols), 3)
    return vocabulary, NGramModel().fit(contexts, targets, len(vocabulary)), contexts, targets


def small_model(vocab_size: int = 5) -> NGramModel:
    return NGramModel(backoff=0.4).fit(*make_windows(SMALL_IDS, 2), vocab_size=vocab_size)


def test_probabilities_are_the_counts_after_the_full_context() -> None:
    model = small_model()
    # Targets 2 0 1 3 0 1 2: unigram counts 2 2 2 1 0, add-one smoothed over 5 ids, times 0.4².
    unigram = 0.16 * np.array([3, 3, 3, 2, 1]) / 12
    expected = unigram.copy()
    expected[[2, 3]] = [2 / 3, 1 / 3]  # (0 1) was followed by 2 twice and by 3 once
    assert model.probabilities([0, 1]) == pytest.approx(expected / expected.sum())
    assert model.probabilities([0, 1]).sum() == pytest.approx(1.0)


def test_backs_off_to_shorter_contexts_when_the_full_one_was_never_seen() -> None:
    model = small_model()
    unigram = 0.16 * np.array([3, 3, 3, 2, 1]) / 12
    # (2 1) never occurs; its ending (1) was followed by 2 twice and 3 once: scores times 0.4.
    expected = unigram.copy()
    expected[[2, 3]] = [0.4 * 2 / 3, 0.4 * 1 / 3]
    assert model.probabilities([2, 1]) == pytest.approx(expected / expected.sum())
    # Id 4 never ends a context: only the symbol frequencies are left, ties going to the lowest id.
    assert model.probabilities([0, 4]) == pytest.approx(unigram / unigram.sum())
    assert model.predict([0, 4]) == 0


def test_a_symbol_scores_at_the_longest_ending_it_followed() -> None:
    # (0 1) was followed by 2, 3 and 4 once each; its ending (1) also by 5, twice (after 6 1).
    contexts = np.array([[0, 1], [0, 1], [0, 1], [6, 1], [6, 1]])
    targets = np.array([2, 3, 4, 5, 5])
    # Backed off, 5 scores 0.9 * 2/5 = 0.36, above the 1/3 of each symbol seen after (0 1)...
    assert NGramModel(backoff=0.9).fit(contexts, targets, 7).predict([0, 1]) == 5
    assert NGramModel(backoff=0.4).fit(contexts, targets, 7).predict([0, 1]) == 2  # ... not 0.16
    # ... but once 5 has followed (0 1) itself, it scores 1/4 there like the others, not 0.9 * 3/6.
    model = NGramModel(backoff=0.9).fit(np.vstack([contexts, [0, 1]]), np.append(targets, 5), 7)
    assert model.predict([0, 1]) == 2
    assert model.probabilities([0, 1])[[2, 3, 4, 5]] == pytest.approx([model.probabilities([0, 1])[2]] * 4)


def test_backs_off_two_levels_when_the_shorter_ending_adds_nothing() -> None:
    # (0 1) and (1) were followed by 2 and 3 once each; 4 followed (5 6) twenty times.
    contexts = np.array([[0, 1], [0, 1]] + [[5, 6]] * 20)
    targets = np.array([2, 3] + [4] * 20)
    # 4 is 21/29 of the smoothed symbol frequencies: 0.9² * 21/29 = 0.59 beats 2's 1/2.
    assert NGramModel(backoff=0.9).fit(contexts, targets, 7).predict([0, 1]) == 4
    assert NGramModel(backoff=0.4).fit(contexts, targets, 7).predict([0, 1]) == 2


def test_equal_scores_go_to_the_lowest_id() -> None:
    # With no back-off penalty, 2 scores 2/4 after (1), as 5 and 6 score 1/2 after (0 1).
    contexts = np.array([[0, 1], [0, 1], [3, 1], [3, 1]])
    model = NGramModel(backoff=1.0).fit(contexts, np.array([5, 6, 2, 2]), 7)
    assert model.predict([0, 1]) == 2
    assert [symbol_id for symbol_id, _ in model.top_k([0, 1], k=3)] == [2, 5, 6]


@pytest.mark.parametrize("n_input", [1, 2, 3, 5])
@pytest.mark.parametrize("backoff", [0.1, 0.4, 0.9, 1.0])
def test_predictions_for_many_windows_agree_with_probabilities(n_input: int, backoff: float) -> None:
    random_state = np.random.RandomState(n_input)
    contexts, targets = make_windows(random_state.randint(0, 9, 600), n_input)
    model = NGramModel(backoff=backoff).fit(contexts, targets, 12)  # ids 9..11 never seen
    queries = np.vstack([contexts[:200], random_state.randint(0, 12, (200, n_input))])
    expected = [int(np.argmax(model.probabilities(query))) for query in queries]
    assert model.predictions(queries).tolist() == expected


def test_top_k_is_ordered_and_sums_to_one(fable_model) -> None:
    vocabulary, model, _, _ = fable_model
    context = vocabulary.encode(["had", "a", "general"])
    top = model.top_k(context, k=3)
    assert [vocabulary.symbol_of(symbol_id) for symbol_id, _ in top][0] == "council"
    assert top[0][1] > top[1][1] >= top[2][1]
    everything = model.top_k(context, k=len(vocabulary))
    assert len(everything) == FABLE_VOCABULARY and sum(
        probability for _, probability in everything
    ) == pytest.approx(1.0)
    assert [probability for _, probability in everything] == sorted(
        (probability for _, probability in everything), reverse=True
    )
    assert model.top_k(context, k=1)[0][0] == model.predict(context)


def test_accuracy_reaches_the_ceiling_on_the_fable(fable_model) -> None:
    _, model, contexts, targets = fable_model
    assert accuracy_ceiling(contexts, targets) == FABLE_RIGHT_POSSIBLE
    assert model.count_correct(contexts, targets) == FABLE_RIGHT_POSSIBLE
    assert model.accuracy(contexts, targets) == pytest.approx(FABLE_RIGHT_POSSIBLE / FABLE_WINDOWS)
    assert model.accuracy(contexts[:0], targets[:0]) == 0.0


def test_greedy_generation_retells_a_story_without_repeated_contexts() -> None:
    ids = np.random.RandomState(5).randint(0, 60, 80)
    contexts, targets = make_windows(ids, 3)
    assert len({tuple(row) for row in contexts.tolist()}) == len(contexts)  # every context unique
    model = NGramModel().fit(contexts, targets, 60)
    assert model.generate(ids[:3], n_symbols=77) == ids[3:].tolist()
    assert model.generate(ids[:3], n_symbols=0) == []


def test_sampling_is_seeded_and_follows_the_settings() -> None:
    ids = np.random.RandomState(5).randint(0, 60, 80)
    model = NGramModel().fit(*make_windows(ids, 3), vocab_size=60)
    first = model.generate(ids[:3], 40, strategy="sample", temperature=1.5, seed=1)
    assert first == model.generate(ids[:3], 40, strategy="sample", temperature=1.5, seed=1)
    assert first != model.generate(ids[:3], 40, strategy="sample", temperature=1.5, seed=2)
    assert len(first) == 40 and all(0 <= symbol_id < 60 for symbol_id in first)
    # The one best candidate, or a near-zero temperature, is greedy.
    greedy = model.generate(ids[:3], 40)
    assert model.generate(ids[:3], 40, strategy="sample", top_k=1, seed=3) == greedy
    assert model.generate(ids[:3], 40, strategy="sample", temperature=0.01, seed=3) == greedy


def test_people_get_nextword_errors() -> None:
    model = small_model()
    with pytest.raises(ContextLengthError, match="reads 2"):
        model.top_k([1], k=3)
    with pytest.raises(ContextLengthError):
        model.generate([1], 5)
    with pytest.raises(NextwordError, match="strategy"):
        model.generate([0, 1], 5, strategy="beam")
    with pytest.raises(NextwordError, match="temperature"):
        model.generate([0, 1], 5, strategy="sample", temperature=0)
    with pytest.raises(NextwordError, match="between 0 and 10,000"):
        model.generate([0, 1], -1)
    assert model.predict([3, 3, 0, 1]) == model.predict([0, 1])  # a longer context: its last ids


def test_programming_errors_raise() -> None:
    with pytest.raises(ValueError):
        NGramModel(backoff=0)
    with pytest.raises(ValueError):
        NGramModel().fit(np.array([[0, 5]]), np.array([1]), vocab_size=3)
    with pytest.raises(ValueError):
        NGramModel().fit(np.zeros((0, 2)), np.zeros(0), vocab_size=3)
    with pytest.raises(ValueError, match="fit"):
        NGramModel().probabilities([0, 1])
    with pytest.raises(ValueError, match="0..4"):
        small_model().predict([0, 7])
