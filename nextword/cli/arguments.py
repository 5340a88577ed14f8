"""The command line's words: the parser of `train`, `predict` and `generate`, and their settings.

`build_parser` declares every option, with the config dataclasses' own defaults;
`configs_from_arguments` turns the parsed options of `train` into the corpus, model and training
configs, looping over the dataclasses' fields rather than naming each one again. A usage error is
one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import dataclasses

from nextword.config import (
    INPUT_ENCODINGS,
    MAX_HOLDOUT_PERCENT,
    OPTIMIZERS,
    SYMBOL_MODES,
    CorpusConfig,
    ModelConfig,
    TrainConfig,
    article_configs,
)

EXIT_USAGE = 2
_DEFAULT_MODEL = ModelConfig()
_DEFAULT_TRAIN = TrainConfig()
# The option that sets a config field, where the two names differ (`--lr` is the usual spelling).
_OPTION_OF_FIELD = {"learning_rate": "lr"}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2 (argparse's own code too)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


STORY_HELP = "path of a text file (any common encoding), e.g. data/belling_the_cat.txt"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m nextword", description="Next-word prediction with an LSTM, from any story."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    # The settings of a run, shared by `train` and `experiment`: (option, default, more of argparse's
    # keywords); each value is parsed as its default's type.
    settings = (
        ("--n-input", _DEFAULT_MODEL.n_input, {"help": "symbols read per prediction"}),
        ("--layers", _DEFAULT_MODEL.layers, {"help": "stacked LSTM layers (1-4)"}),
        ("--units", _DEFAULT_MODEL.units, {"help": "units per LSTM layer"}),
        ("--embedding-dim", _DEFAULT_MODEL.embedding_dim, {"help": "embedding size"}),
        ("--encoding", _DEFAULT_MODEL.encoding, {"choices": INPUT_ENCODINGS, "help": "input encoding"}),
        ("--steps", _DEFAULT_TRAIN.steps, {"help": "optimizer steps"}),
        ("--batch-size", _DEFAULT_TRAIN.batch_size, {"help": "windows per step"}),
        ("--optimizer", _DEFAULT_TRAIN.optimizer, {"choices": OPTIMIZERS}),
        ("--lr", _DEFAULT_TRAIN.learning_rate, {"help": "learning rate"}),
        ("--seed", _DEFAULT_TRAIN.seed, {}),
        (
            "--dropout",
            _DEFAULT_MODEL.dropout,
            {"help": "share of the vectors and LSTM outputs dropped at random while training (0-0.8)"},
        ),
        (
            "--clip-norm",
            _DEFAULT_TRAIN.clip_norm,
            {"help": "scale each step's gradients down to at most this length (0: never)"},
        ),
    )
    options = _Parser(add_help=False)
    for option, default, keywords in settings:
        options.add_argument(option, type=type(default), default=default, **keywords)
    options.add_argument(
        "--last-weights",
        action="store_true",
        help="with a hold-out: run every step and keep the last weights, not the best held-out step's",
    )
    options.add_argument(
        "--holdout",
        type=int,
        default=_DEFAULT_TRAIN.holdout,
        metavar="PERCENT",
        help=f"hold out the story's last PERCENT %% (0-{MAX_HOLDOUT_PERCENT}): never trained on, "
        "scored to show what the model learned beyond memorising",
    )
    options.add_argument(
        "--run-all-steps",
        action="store_true",
        help="run every step even once the model has learned all it can (it stops early otherwise)",
    )
    options.add_argument("--symbol-mode", choices=SYMBOL_MODES, default="words", help="words or characters")
    options.add_argument("--keep-case", action="store_true", help="do not lower-case the story")
    train = commands.add_parser(
        "train", parents=[options], help="train a model on a story and save the run folder"
    )
    train.add_argument("story", help=STORY_HELP)
    train.add_argument(
        "--article",
        action="store_true",
        help="the article's exact recipe: raw index input, 512 units, RMSProp 0.001, batch 1, 50,000 steps "
        "(--n-input, --layers and --steps still apply if given)",
    )
    train.add_argument(
        "--tensorboard",
        metavar="DIR",
        help="write TensorBoard logs (loss, accuracy, the graph) to DIR; open with: tensorboard --logdir DIR",
    )
    train.add_argument("--out", help="run folder to write (default: runs/<story name>)")
    train.add_argument("--quiet", action="store_true", help="print only the final lines")

    experiment = commands.add_parser(
        "experiment",
        parents=[options],
        help="run one of the page's experiments on a story and print its table",
    )
    experiment.add_argument("name", choices=("text-size",), help="text-size: how much text a network needs")
    experiment.add_argument("story", help=STORY_HELP)

    predict = commands.add_parser("predict", help="top-k next symbols after a context")
    generate = commands.add_parser(
        "generate", help="write a story from a context, feeding each prediction back"
    )
    for saved_run in (predict, generate):
        saved_run.add_argument("run", help="run folder written by 'train'")
        saved_run.add_argument("context", help='e.g. "had a general"')
    predict.add_argument("-k", type=int, default=5, help="how many symbols to list")
    generate.add_argument("-n", type=int, default=32, help="symbols to generate")
    generate.add_argument("--strategy", choices=("greedy", "sample"), default="greedy")
    generate.add_argument("--temperature", type=float, default=1.0)
    generate.add_argument("--top-k", type=int, default=None, help="sample only among the k best")
    generate.add_argument("--seed", type=int, default=0)
    return parser


def _options_for(config_class, arguments: argparse.Namespace) -> dict:
    """The fields of `config_class` that the command line sets, with the values parsed."""
    values = {}
    for field in dataclasses.fields(config_class):
        option = _OPTION_OF_FIELD.get(field.name, field.name)
        if hasattr(arguments, option):
            values[field.name] = getattr(arguments, option)
    return values


def configs_from_arguments(
    arguments: argparse.Namespace, given: set[str]
) -> tuple[CorpusConfig, ModelConfig, TrainConfig]:
    """The configs of `train`; `given` names the options typed (the article's recipe keeps the rest)."""
    corpus_config = CorpusConfig(**_options_for(CorpusConfig, arguments), lowercase=not arguments.keep_case)
    if getattr(arguments, "article", False):
        model_config, train_config = article_configs(n_input=arguments.n_input, layers=arguments.layers)
        # What the recipe leaves open: how long, what is held out, and the seed (its fifth note).
        overrides = {name: getattr(arguments, name) for name in ("steps", "holdout", "seed") if name in given}
        return corpus_config, model_config, dataclasses.replace(train_config, **overrides)
    model_config = ModelConfig(**_options_for(ModelConfig, arguments))
    train_config = TrainConfig(
        **_options_for(TrainConfig, arguments),
        stop_when_learned=not arguments.run_all_steps,
        keep_best=not arguments.last_weights,
    )
    return corpus_config, model_config, train_config


def explicit_options(argv: list[str]) -> set[str]:
    """The long options typed in `argv`, as argument names (`--n-input=4` gives "n_input")."""
    return {item[2:].split("=")[0].replace("-", "_") for item in argv if item.startswith("--")}
