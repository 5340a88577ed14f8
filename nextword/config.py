"""Typed, frozen settings: one dataclass per concern, shared by the CLI and the page.

Every field has a comment that says what it means; `__post_init__` raises `SettingsError` with a
readable message for a bad value, so neither driver needs its own checks. `to_dict`/`from_dict`
round-trip through JSON for checkpoints.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from nextword.errors import SettingsError

SymbolMode = Literal["words", "characters"]
InputEncoding = Literal["embedding", "index"]
OptimizerName = Literal["adam", "rmsprop"]

SYMBOL_MODES: tuple[str, ...] = ("words", "characters")
INPUT_ENCODINGS: tuple[str, ...] = ("embedding", "index")
OPTIMIZERS: tuple[str, ...] = ("adam", "rmsprop")

# The article's numbers, in one place.
ARTICLE_N_INPUT = 3
ARTICLE_UNITS = 512
ARTICLE_LEARNING_RATE = 0.001
ARTICLE_STEPS = 50_000
# The step counts people choose from (the page's slider). A story's suggested steps are one of them,
# so the page and the command line train the same run.
STEP_CHOICES = (50, 100, 200, 300, 500, 1000, 2000, 3000, 5000, 10_000, 20_000, 50_000)
# The largest share of a story (percent) that can be held out: above half, too little is left to learn.
MAX_HOLDOUT_PERCENT = 50


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not (low <= value <= high):
        raise SettingsError(f"{name} must be between {low} and {high}; got {value}.")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}; got {value!r}.")


class _DictMixin:
    """JSON round trip shared by every config class."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)  # type: ignore[arg-type]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        known = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
        # Unknown keys are ignored so that an older app can read a newer file's common part.
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass(frozen=True)
class CorpusConfig(_DictMixin):
    """How story bytes become symbols."""

    # "words": every word and punctuation mark is a symbol (the article); "characters": every
    # character is one, for scripts written without spaces.
    symbol_mode: SymbolMode = "words"
    # Fold case so "The" and "the" are one symbol, as in the article's lower-case fable.
    lowercase: bool = True
    # Refuse stories larger than this many bytes (a class uploads whatever it has).
    max_bytes: int = 5_000_000
    # Keep at most this many distinct symbols; rarer ones share one rare-symbol token.
    max_vocabulary: int = 20_000

    def __post_init__(self) -> None:
        _check_choice("symbol_mode", self.symbol_mode, SYMBOL_MODES)
        _check_range("max_bytes", self.max_bytes, 1, 1_000_000_000)
        _check_range("max_vocabulary", self.max_vocabulary, 2, 1_000_000)


@dataclass(frozen=True)
class ModelConfig(_DictMixin):
    """The network's shape."""

    # How many symbols the model reads to predict the next one (the article's n_input).
    n_input: int = 3
    # Stacked LSTM layers; the article uses 1, then 2 for better accuracy.
    layers: int = 1
    # Units (cell size) per LSTM layer; the article's is 512.
    units: int = 128
    # "embedding": a learned vector per symbol; "index": the article's raw id as one number.
    encoding: InputEncoding = "embedding"
    # Length of each learned symbol vector (only with the embedding encoding).
    embedding_dim: int = 32
    # Share of the symbol vectors and the LSTM's outputs zeroed at random in each training step (not
    # its recurrent state), so the network cannot lean on any one unit: it generalises instead of
    # memorising. 0 trains as the article does.
    dropout: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "dropout", float(self.dropout))
        if not 0 <= self.dropout <= 0.8:
            raise SettingsError(f"dropout must be from 0 to 0.8; got {self.dropout}.")
        _check_range("n_input", self.n_input, 1, 32)
        _check_range("layers", self.layers, 1, 4)
        _check_range("units", self.units, 1, 4096)
        _check_choice("encoding", self.encoding, INPUT_ENCODINGS)
        _check_range("embedding_dim", self.embedding_dim, 1, 1024)


@dataclass(frozen=True)
class TrainConfig(_DictMixin):
    """How the model is trained."""

    # Optimizer steps (batches) to run; the article runs 50,000 steps of one window each.
    steps: int = 300
    # Windows per step; a batch at least as large as the story trains on all windows at once.
    batch_size: int = 256
    # "adam" or "rmsprop" (the article's).
    optimizer: OptimizerName = "adam"
    # Step size of the optimizer; the article's RMSProp uses 0.001.
    learning_rate: float = 0.01
    # Seeds weights and window order, so the same settings give the same run.
    seed: int = 0
    # The article's recipe: windows taken in its order (a random start, then every n_input+1
    # symbols), one per step, no shuffling.
    article_order: bool = False
    # Percent of the story, at its end, never trained on: the held-out words the model is tested on.
    holdout: int = 0
    # End the run early once it has learned all it can: every window that can be right is right
    # and the loss is close to the lowest any model can reach on this story.
    stop_when_learned: bool = True
    # With part of the story held out: stop once the held-out loss has not improved for a fifth of
    # the run's scoring points, and keep the weights of its best step for predicting and writing.
    keep_best: bool = True
    # Scale each step's gradients down to at most this overall length (0: never), so one unlucky
    # batch cannot throw the weights far.
    clip_norm: float = 0.0
    # Percent of the training part trained on, from its start (the held-out end stays the same):
    # how much text a network needs.
    train_share: int = 100

    def __post_init__(self) -> None:
        _check_range("train_share", self.train_share, 1, 100)
        object.__setattr__(self, "clip_norm", float(self.clip_norm))
        if not 0 <= self.clip_norm <= 1e6:
            raise SettingsError(f"clip_norm must be from 0 (off) to 1e6; got {self.clip_norm}.")
        # A learning rate typed as 1 (an int) must still reach Keras as a float.
        object.__setattr__(self, "learning_rate", float(self.learning_rate))
        _check_range("steps", self.steps, 1, 10_000_000)
        _check_range("batch_size", self.batch_size, 1, 65_536)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        if not (0 < self.learning_rate <= 1e9):
            raise SettingsError(f"learning_rate must be above 0 and at most 1e9; got {self.learning_rate}.")
        _check_range("seed", self.seed, 0, 2**31 - 1)
        _check_range("holdout", self.holdout, 0, MAX_HOLDOUT_PERCENT)


def article_configs(n_input: int = ARTICLE_N_INPUT, layers: int = 1) -> tuple[ModelConfig, TrainConfig]:
    """The article's recipe exactly: raw index input, 512 units, RMSProp 0.001, batch 1, 50,000 steps."""
    model_config = ModelConfig(n_input=n_input, layers=layers, units=ARTICLE_UNITS, encoding="index")
    train_config = TrainConfig(
        steps=ARTICLE_STEPS,
        batch_size=1,
        optimizer="rmsprop",
        learning_rate=ARTICLE_LEARNING_RATE,
        article_order=True,
        stop_when_learned=False,  # the article runs all 50,000 steps
    )
    return model_config, train_config


# The model's layer names: the training package builds them, the predictor reads weights by them.
INPUT_NAME = "context_ids"
EMBEDDING_NAME = "embedding"
LOGITS_NAME = "logits"


def lstm_layer_name(index: int) -> str:
    """Name of the LSTM layer at 0-based `index`, so the predictor can find its weights."""
    return f"lstm_{index + 1}"
