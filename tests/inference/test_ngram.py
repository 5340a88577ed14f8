"""The n-gram yardstick: Kneser-Ney probabilities, perplexity, best guesses and generation from them."""

from __future__ import annotations

import numpy as np
import pytest

from nextword.errors import ContextLengthError, NextwordError
from nextword.inference.ngram import NGramModel
from nextword.text.corpus import load_story
from nextword.text.vocab import Vocabulary
from nextword.text.windows import holdout_split, make_windows
from tests.conftest import FABLE_PATH, ROOT

LONG_STORY_PATH = ROOT / "tests" / "fixtures" / "long_story.txt"

# Worked out by hand below: with n_input 1, the 13 windows are its 13 pairs of neighbours.
HAND_IDS = [0, 1, 0, 0, 0, 1, 2, 1, 0, 0, 0, 1, 2, 0]


def story_windows(path, n_input: int = 3, holdout: float = 0):
    """(vocabulary size, training windows, held-out windows) of a story file."""
    symbols = load_story(path.read_bytes()).symbols
    vocabulary = Vocabulary.from_symbols(symbols)
    contexts, targets = make_windows(vocabulary.encode(symbols), n_input)
    split = holdout_split(len(symbols), n_input, holdout)
    return (
        len(vocabulary),
        (contexts[split.train], targets[split.train]),
        (contexts[split.held_out], targets[split.held_out]),
    )


@pytest.fixture(scope="module")
def long_story():
    """The long story at n_input 3 with its last 20% held out, and the model counted on the rest."""
    vocab_size, train, held_out = story_windows(LONG_STORY_PATH, holdout=20)
    return vocab_size, train, held_out, NGramModel().fit(*train, vocab_size)


def random_model(n_input: int, vocab_size: int = 12):
    """A model of 600 random ids among the first 9 (9..11 never seen), and contexts seen and not."""
    random_state = np.random.RandomState(n_input)
    contexts, targets = make_windows(random_state.randint(0, 9, 600), n_input)
    queries = np.vstack([contexts[:200], random_state.randint(0, vocab_size, (200, n_input))])
    return NGramModel().fit(contexts, targets, vocab_size), queries


def test_the_discounts_continuation_counts_and_probabilities_worked_out_by_hand() -> None:
    # Pairs: 0 0 four times, 0 1 three, 1 0 and 1 2 twice, 2 0 and 2 1 once: n1..n4 = 2, 2, 1, 1,
    # Y = 2 / (2 + 2·2) = 1/3, D1 = 1 - 2·Y·2/2 = 1/3, D2 = 2 - 3·Y·1/2 = 3/2, D3+ = 3 - 4·Y·1/1 = 5/3.
    # Continuation counts (distinct ids before): 0 after 0, 1, 2 → 3; 1 after 0, 2 → 2; 2 after 1 → 1;
    # 3 never: total 6, n1..n4 = 1, 1, 1, 0, Y = 1/3, D1 = 1/3, D2 = 1, D3+ = Y (no n4) = 1/3, and
    # gamma = (1/3 + 1 + 1/3) / 6 = 5/18 goes to the uniform 1/4: P1 = 37, 17, 13, 5 (/72).
    model = NGramModel().fit(*make_windows(HAND_IDS, 1), vocab_size=4)
    unigram = np.array([37, 17, 13, 5]) / 72
    # After 0 (seen 7 times: 0 four, 1 three, both discounted by 5/3), gamma = 2 · (5/3) / 7 = 10/21:
    # P(0 | 0) = (4 - 5/3) / 7 + 10/21 · 37/72 = 437/756, P(1 | 0) = (3 - 5/3) / 7 + 10/21 · 17/72.
    assert model.probabilities([0]) == pytest.approx(np.array([437, 229, 65, 25]) / 756, abs=1e-15)
    assert model.probabilities([3]) == pytest.approx(unigram, abs=1e-15)  # 3 never came first
    assert model.order == 2


@pytest.mark.parametrize("path", [FABLE_PATH, LONG_STORY_PATH], ids=["fable", "long story"])
def test_every_context_gets_probabilities_that_sum_to_one_and_never_zero(path) -> None:
    vocab_size, train, held_out = story_windows(path, holdout=20)
    model = NGramModel().fit(*train, vocab_size)
    never_seen = np.random.RandomState(0).randint(0, vocab_size, (200, 3))
    for contexts in (train[0], held_out[0], never_seen):
        probabilities = model.probabilities_of(contexts)
        assert probabilities.shape == (len(contexts), vocab_size)
        assert np.abs(probabilities.sum(axis=1) - 1).max() < 1e-12
        assert probabilities.min() > 0


def test_a_model_that_counted_nothing_is_uniform_with_the_vocabulary_as_perplexity() -> None:
    model = NGramModel().fit(np.zeros((0, 2)), np.zeros(0), vocab_size=7)
    contexts, targets = make_windows([0, 1, 2, 6, 6, 3], 2)
    assert model.probabilities_of(contexts) == pytest.approx(np.full((4, 7), 1 / 7), abs=1e-15)
    assert model.perplexity(contexts, targets) == pytest.approx(7.0)


def test_log_likelihoods_and_perplexity_are_those_of_the_probabilities(long_story) -> None:
    _, _, (contexts, targets), model = long_story
    own = model.probabilities_of(contexts)[np.arange(len(targets)), targets]
    assert model.log_likelihoods(contexts, targets) == pytest.approx(np.log(own), rel=1e-12)
    assert model.perplexity(contexts, targets) == pytest.approx(np.exp(-np.log(own).mean()), rel=1e-12)


def test_held_out_perplexity_is_far_below_the_vocabulary_and_a_unigrams(long_story) -> None:
    vocab_size, train, held_out, model = long_story
    unigram = NGramModel().fit(*train, vocab_size, order=1)
    assert model.order == 4 and unigram.order == 1
    perplexity = model.perplexity(*held_out)
    assert perplexity < vocab_size / 2
    assert perplexity < 0.9 * unigram.perplexity(*held_out)
    assert model.top_k_accuracy(*held_out, k=5) > model.top_k_accuracy(*held_out, k=1) > 0


@pytest.mark.parametrize("n_input", [1, 2, 3, 5])
def test_predictions_and_accuracies_follow_the_probabilities(n_input: int) -> None:
    model, queries = random_model(n_input)
    probabilities = model.probabilities_of(queries)
    assert model.top_k_accuracy(queries, probabilities.argmax(axis=1), 1) == 1.0
    targets = np.random.RandomState(1).randint(0, 12, len(queries))
    # Each target's rank as `top_k` ranks: more probable first, then the lower id.
    rankings = np.argsort(-probabilities, axis=1, kind="stable")
    ranks = np.argmax(rankings == targets[:, None], axis=1)
    for k in (1, 3, 5, 7):
        assert model.top_k_accuracy(queries, targets, k) == pytest.approx(np.mean(ranks < k))
    assert model.top_k_accuracy(queries[:0], targets[:0], 1) == 0.0


def test_top_k_lists_the_most_probable_ids_of_the_distribution() -> None:
    model, queries = random_model(2)
    for query in queries[::40]:
        probabilities = model.probabilities(query)
        top = model.top_k(query, k=4)
        best = np.argsort(-probabilities, kind="stable")[:4]
        assert top == [(symbol_id, probabilities[symbol_id]) for symbol_id in best.tolist()]


def told_twice() -> tuple[np.ndarray, NGramModel]:
    """80 random ids and a model of them told twice: each context was followed by one id, twice."""
    ids = np.random.RandomState(5).randint(0, 60, 80)
    return ids, NGramModel().fit(*make_windows(np.concatenate([ids, ids]), 3), vocab_size=60)


def test_greedy_generation_retells_a_story_told_twice() -> None:
    ids, model = told_twice()
    assert model.generate(ids[:3], n_symbols=77) == ids[3:].tolist()
    assert model.generate(ids[:3], n_symbols=0) == []


def test_sampling_is_seeded_and_follows_the_settings() -> None:
    ids, model = told_twice()
    first = model.generate(ids[:3], 40, strategy="sample", temperature=1.5, seed=1)
    assert first == model.generate(ids[:3], 40, strategy="sample", temperature=1.5, seed=1)
    assert first != model.generate(ids[:3], 40, strategy="sample", temperature=1.5, seed=2)
    assert len(first) == 40 and all(0 <= symbol_id < 60 for symbol_id in first)
    # The one best candidate, or a near-zero temperature, is greedy.
    greedy = model.generate(ids[:3], 40)
    assert model.generate(ids[:3], 40, strategy="sample", top_k=1, seed=3) == greedy
    assert model.generate(ids[:3], 40, strategy="sample", temperature=0.01, seed=3) == greedy


def test_people_get_nextword_errors() -> None:
    model = NGramModel().fit(*make_windows(HAND_IDS, 2), vocab_size=4)
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
    assert model.top_k([3, 3, 0, 1]) == model.top_k([0, 1])  # a longer context: its last ids


def test_programming_errors_raise() -> None:
    contexts, targets = make_windows(HAND_IDS, 2)
    with pytest.raises(ValueError, match="order"):
        NGramModel().fit(contexts, targets, vocab_size=4, order=4)
    with pytest.raises(ValueError):
        NGramModel().fit(np.array([[0, 5]]), np.array([1]), vocab_size=3)
    with pytest.raises(ValueError, match="fit"):
        NGramModel().probabilities([0, 1])
    model = NGramModel().fit(contexts, targets, vocab_size=4)
    with pytest.raises(ValueError, match="0..3"):
        model.top_k([0, 7])
    with pytest.raises(ValueError, match="at least one window"):
        model.perplexity(contexts[:0], targets[:0])
