"""The n-gram baseline: probabilities, backoff, and accuracy up to the fable's ceiling."""

from __future__ import annotations

import numpy as np
import pytest

from nextword.baseline import NGramModel
from nextword.corpus import Story
from nextword.vocab import Vocabulary
from nextword.windows import accuracy_ceiling, make_windows


@pytest.fixture(scope="module")
def fable_model(fable_story: Story) -> tuple[Vocabulary, NGramModel, np.ndarray, np.ndarray]:
    vocabulary = Vocabulary.from_symbols(fable_story.symbols)
    contexts, targets = make_windows(vocabulary.encode(fable_story.symbols), 3)
    return vocabulary, NGramModel().fit(contexts, targets, len(vocabulary)), contexts, targets


def test_probabilities_sum_to_one(fable_model) -> None:
    vocabulary, model, _, _ = fable_model
    probabilities = model.probabilities(vocabulary.encode(["had", "a", "general"]))
    assert probabilities.shape == (112,)
    assert probabilities.sum() == pytest.approx(1.0)
    assert (probabilities > 0).all()


def test_top_k_predicts_the_story(fable_model) -> None:
    vocabulary, model, _, _ = fable_model
    top = model.top_k(vocabulary.encode(["had", "a", "general"]), k=3)
    assert len(top) == 3
    assert vocabulary.symbol_of(top[0][0]) == "council"
    assert top[0][1] > top[1][1] >= top[2][1]


def test_backoff_to_shorter_contexts(fable_model) -> None:
    vocabulary, model, _, _ = fable_model
    # "mouse mouse mouse" never occurs, but "mouse" is followed by "got" twice in the story.
    assert vocabulary.symbol_of(model.predict(vocabulary.encode(["mouse", "mouse", "mouse"]))) == "got"
    assert model.predict([5, 5]) == int(np.argmax(model.probabilities([5, 5])))


def test_accuracy_reaches_the_ceiling_on_the_fable(fable_model) -> None:
    _, model, contexts, targets = fable_model
    assert model.accuracy(contexts, targets) == pytest.approx(accuracy_ceiling(contexts, targets) / 201)


def test_predict_agrees_with_probabilities() -> None:
    random_state = np.random.RandomState(0)
    contexts, targets = make_windows(random_state.randint(0, 12, 400), 2)
    model = NGramModel(backoff=0.4).fit(contexts, targets, 12)
    for context in random_state.randint(0, 12, (50, 2)):
        assert model.predict(context) == int(np.argmax(model.probabilities(context)))


def test_bad_input_raises() -> None:
    with pytest.raises(ValueError):
        NGramModel(backoff=0)
    with pytest.raises(ValueError):
        NGramModel().fit(np.array([[0, 5]]), np.array([1]), vocab_size=3)
    with pytest.raises(ValueError):
        NGramModel().probabilities([0, 1])
