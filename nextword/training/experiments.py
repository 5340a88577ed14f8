"""The article's experiments as runs: what each varies, what it teaches, and what its runs showed.

Each `Experiment` turns the settings in use into a few variants that differ in one thing (n_input
3, 4 and 5; one layer or two; ...), on the same story and the same step budget, except the
article's full recipe, which is the article's own. `finding` writes one sentence from the runs'
final numbers (which won, by how much), and `differing_labels` names runs by what differs between
them. Nothing here knows about Streamlit or trains anything: the page queues the variants.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nextword.config import ARTICLE_LEARNING_RATE, ModelConfig, TrainConfig, article_configs

LEVEL = 0.0005  # accuracies closer than this (0.05 points) count as level


@dataclass(frozen=True)
class Variant:
    """One run of an experiment: a short label and its settings."""

    label: str
    model: ModelConfig
    train: TrainConfig


@dataclass(frozen=True)
class Outcome:
    """A finished variant's final numbers, as `finding` reads them."""

    label: str
    accuracy: float | None  # exact accuracy on the training windows (0..1)
    holdout_accuracy: float | None = None  # on the held-out windows, when the story holds some out
    steps: int = 0
    seconds: float = 0.0
    holdout_perplexity: float | None = None  # the LSTM's, at the step it keeps
    ngram_holdout_perplexity: float | None = None
    training_windows: int = 0


@dataclass(frozen=True)
class Experiment:
    """A one-click comparison: its name, its button's title, the lesson it teaches, its variants."""

    name: str
    title: str
    teaches: str
    variants: Callable[[ModelConfig, TrainConfig], list[Variant]]  # from the settings in use
    long: bool = False  # runs the article's 50,000 steps, not the page's step budget


def _each(name: str, values, label: Callable[[object], str]):
    """Variants with one setting (of the model or of the training) at each value, the rest as given."""
    of_model = name in {field.name for field in dataclasses.fields(ModelConfig)}
    return lambda model, train: [
        Variant(
            label(value),
            dataclasses.replace(model, **{name: value}) if of_model else model,
            train if of_model else dataclasses.replace(train, **{name: value}),
        )
        for value in values
    ]


def _optimizers(model: ModelConfig, train: TrainConfig) -> list[Variant]:
    rmsprop = dataclasses.replace(train, optimizer="rmsprop", learning_rate=ARTICLE_LEARNING_RATE)
    adam = dataclasses.replace(train, optimizer="adam")
    return [
        Variant(f"RMSProp {ARTICLE_LEARNING_RATE:g}", model, rmsprop),
        Variant(f"Adam {adam.learning_rate:g}", model, adam),
    ]


def _article(model: ModelConfig, train: TrainConfig) -> list[Variant]:
    article_model, article_train = article_configs()
    article_train = dataclasses.replace(article_train, holdout=train.holdout, seed=train.seed)
    return [
        Variant("the article's recipe", article_model, article_train),
        Variant("these settings", model, train),
    ]


TEXT_SHARES = (2, 10, 40, 100)  # percent of the training part each run of "text size" trains on


def _text_sizes(model: ModelConfig, train: TrainConfig) -> list[Variant]:
    """The same settings on more and more of the training part, scored on the same held-out end."""
    held = train if train.holdout else dataclasses.replace(train, holdout=SUGGESTED_TEXT_HOLDOUT)
    return [
        Variant(f"{share}% of the training part", model, dataclasses.replace(held, train_share=share))
        for share in TEXT_SHARES
    ]


SUGGESTED_TEXT_HOLDOUT = 10  # what "text size" holds out when the settings hold out nothing

EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        "n_input",
        "n_input 3, 4 and 5",
        "How much context helps: a longer context pins the next word down, but each context is met "
        "fewer times (the article's fourth note: see what happens with other numbers).",
        _each("n_input", (3, 4, 5), "n_input {}".format),
    ),
    Experiment(
        "layers",
        "1 and 2 layers",
        "Whether a second LSTM layer, reading what the first one writes, learns the story better "
        "(the article's Listing 10).",
        _each("layers", (1, 2), lambda n: f"{n} layer{'s' if n > 1 else ''}"),
    ),
    Experiment(
        "encoding",
        "Raw index against embedding",
        "Why a learned vector per word beats the word's id as one number, which tells the network "
        "that id 20 is close to id 21 (the article's first note).",
        _each("encoding", ("index", "embedding"), {"index": "raw index", "embedding": "embedding"}.get),
    ),
    Experiment(
        "optimizer",
        f"RMSProp {ARTICLE_LEARNING_RATE:g} against Adam",
        "How the rule that turns each gradient into weight changes decides how fast a run learns "
        f"(the article's Listing 9 uses RMSProp at {ARTICLE_LEARNING_RATE:g}).",
        _optimizers,
    ),
    Experiment(
        "article",
        "The article's full recipe",
        "What the article's own recipe (raw index input, 512 units, RMSProp, 50,000 steps of one "
        "window each) reaches against these settings. It takes a minute or more.",
        _article,
        long=True,
    ),
    Experiment(
        "seed",
        "Seeds 0, 1 and 2",
        "How much of a result is luck: the same settings from different starting weights (the "
        "article's fifth note: results depend on the initial values).",
        _each("seed", (0, 1, 2), "seed {}".format),
    ),
    Experiment(
        "text_size",
        "How much text does a network need?",
        "The same settings on about 2%, 10%, 40% and all of the story's training part, each scored on "
        "the same held-out end, beside the Kneser-Ney n-gram counted on the same words: counting wins "
        "on a page of text, a network wins once it has enough to learn from. Use a long story.",
        _text_sizes,
    ),
)
BY_NAME: dict[str, Experiment] = {experiment.name: experiment for experiment in EXPERIMENTS}


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _points(difference: float) -> str:
    points = difference * 100
    return f"{points:.1f} point{'' if round(points, 1) == 1 else 's'}"


def text_size_finding(outcomes: Sequence[Outcome]) -> str:
    """Where the network overtook counting as the training part grew, in words."""
    ranked = sorted(outcomes, key=lambda outcome: outcome.training_windows)
    for outcome in ranked:
        if outcome.holdout_perplexity < outcome.ngram_holdout_perplexity:
            return (
                f"The network overtook counting at about {outcome.training_windows:,} training words: "
                f"held-out perplexity {outcome.holdout_perplexity:,.0f} against the n-gram's "
                f"{outcome.ngram_holdout_perplexity:,.0f}."
            )
    largest = ranked[-1]
    return (
        f"Counting stayed ahead up to {largest.training_windows:,} training words (held-out perplexity "
        f"{largest.ngram_holdout_perplexity:,.0f} against the network's {largest.holdout_perplexity:,.0f}): "
        "the network needs a longer story."
    )


def finding(experiment: Experiment, outcomes: Sequence[Outcome]) -> str | None:
    """One sentence of what the runs showed (None until every one has an accuracy).

    With part of the story held out, the runs are judged by their held-out perplexity (what they
    predict of text they never saw), not by training accuracy at the ceiling.
    """
    if len(outcomes) < 2 or any(outcome.accuracy is None for outcome in outcomes):
        return None
    if all(outcome.holdout_perplexity is not None for outcome in outcomes):
        if experiment.name == "text_size" and all(o.ngram_holdout_perplexity for o in outcomes):
            return text_size_finding(outcomes)
        return _perplexity_finding(experiment, outcomes)
    held_out = all(outcome.holdout_accuracy is not None for outcome in outcomes)
    metric = "held-out accuracy" if held_out else "training accuracy"

    def score(outcome: Outcome) -> float:
        return outcome.holdout_accuracy if held_out else outcome.accuracy

    ranked = sorted(outcomes, key=score, reverse=True)
    best, worst = ranked[0], ranked[-1]
    spread = score(best) - score(worst)
    if spread < LEVEL:
        return f"All {len(outcomes)} runs ended level, at {_percent(score(best))} {metric}."
    if experiment.name == "seed":
        return (
            f"From the starting weights alone, the {metric} ranged from {_percent(score(worst))} "
            f"({worst.label}) to {_percent(score(best))} ({best.label}): {_points(spread)} apart."
        )
    weakest = "the weakest, " if len(outcomes) > 2 else ""
    return (
        f"The winner: {best.label}, with {_percent(score(best))} {metric}, {_points(spread)} above "
        f"{weakest}{worst.label} ({_percent(score(worst))}), after {best.steps:,} steps and "
        f"{best.seconds:.0f} s of training (against {worst.seconds:.0f} s)."
    )


def _perplexity_finding(experiment: Experiment, outcomes: Sequence[Outcome]) -> str:
    ranked = sorted(outcomes, key=lambda outcome: outcome.holdout_perplexity)
    best, worst = ranked[0], ranked[-1]
    if worst.holdout_perplexity - best.holdout_perplexity < 0.5:
        return f"All {len(outcomes)} runs ended level, at held-out perplexity {best.holdout_perplexity:,.1f}."
    if experiment.name == "seed":
        return (
            f"From the starting weights alone, the held-out perplexity ranged from "
            f"{best.holdout_perplexity:,.1f} ({best.label}) to {worst.holdout_perplexity:,.1f} "
            f"({worst.label})."
        )
    return (
        f"The winner on text it never saw: {best.label}, as unsure as choosing among "
        f"{best.holdout_perplexity:,.1f} words on the held-out part, against {worst.holdout_perplexity:,.1f} "
        f"for {worst.label}, after {best.steps:,} steps and {best.seconds:.0f} s of training."
    )


# Short names of the settings, for labels that say what differs between runs.
LABEL_NAMES = {"learning_rate": "lr", "batch_size": "batch", "article_order": "article order"}


def _value_text(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def differing_labels(settings: Sequence[Mapping[str, object]]) -> list[str]:
    """For each run's settings, the settings that differ between the runs ("n_input 4, lr 0.001")."""
    names = [
        name for name in (settings[0] if settings else {}) if len({str(s.get(name)) for s in settings}) > 1
    ]
    return [
        ", ".join(f"{LABEL_NAMES.get(name, name)} {_value_text(values.get(name))}" for name in names)
        for values in settings
    ]
