"""The command line: `python -m nextword train|predict|generate`, the same library as the page.

Training prints progress the way the article does (`Iter= 1000, Average Loss= ..., Average
Accuracy= ...%` and a sample line); every error is one clear line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from nextword.config import (
    DISTRIBUTE_OPTIONS,
    INPUT_ENCODINGS,
    MAX_HOLDOUT_PERCENT,
    OPTIMIZERS,
    SYMBOL_MODES,
    CorpusConfig,
    ModelConfig,
    TrainConfig,
    article_configs,
)
from nextword.errors import NextwordError

EXIT_USAGE = 2
_DEFAULT_MODEL = ModelConfig()
_DEFAULT_TRAIN = TrainConfig()


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2 (argparse's own code too)."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m nextword", description="Next-word prediction with an LSTM, from any story."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="train a model on a story and save the run folder")
    train.add_argument(
        "story", help="path of a text file (any common encoding), e.g. data/belling_the_cat.txt"
    )
    train.add_argument(
        "--n-input", type=int, default=_DEFAULT_MODEL.n_input, help="symbols read per prediction"
    )
    train.add_argument("--layers", type=int, default=_DEFAULT_MODEL.layers, help="stacked LSTM layers (1-4)")
    train.add_argument("--units", type=int, default=_DEFAULT_MODEL.units, help="units per LSTM layer")
    train.add_argument(
        "--embedding-dim", type=int, default=_DEFAULT_MODEL.embedding_dim, help="embedding size"
    )
    train.add_argument(
        "--encoding", choices=INPUT_ENCODINGS, default=_DEFAULT_MODEL.encoding, help="input encoding"
    )
    train.add_argument("--steps", type=int, default=_DEFAULT_TRAIN.steps, help="optimizer steps")
    train.add_argument("--batch-size", type=int, default=_DEFAULT_TRAIN.batch_size, help="windows per step")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default=_DEFAULT_TRAIN.optimizer)
    train.add_argument("--lr", type=float, default=_DEFAULT_TRAIN.learning_rate, help="learning rate")
    train.add_argument("--seed", type=int, default=_DEFAULT_TRAIN.seed)
    train.add_argument(
        "--holdout",
        type=int,
        default=_DEFAULT_TRAIN.holdout,
        metavar="PERCENT",
        help=f"hold out the story's last PERCENT %% (0-{MAX_HOLDOUT_PERCENT}): never trained on, "
        "scored to show what the model learned beyond memorising",
    )
    train.add_argument(
        "--run-all-steps",
        action="store_true",
        help="run every step even once the model has learned all it can (it stops early otherwise)",
    )
    train.add_argument("--symbol-mode", choices=SYMBOL_MODES, default="words", help="words or characters")
    train.add_argument("--keep-case", action="store_true", help="do not lower-case the story")
    train.add_argument(
        "--article",
        action="store_true",
        help="the article's exact recipe: raw index input, 512 units, RMSProp 0.001, batch 1, 50,000 steps "
        "(--n-input, --layers and --steps still apply if given)",
    )
    train.add_argument(
        "--distribute",
        choices=DISTRIBUTE_OPTIONS,
        default="none",
        help="train under tf.distribute: 'mirrored' uses every local GPU (or CPU device)",
    )
    train.add_argument(
        "--tensorboard",
        metavar="DIR",
        help="write TensorBoard logs (loss, accuracy, the graph) to DIR; open with: tensorboard --logdir DIR",
    )
    train.add_argument("--out", help="run folder to write (default: runs/<story name>)")
    train.add_argument("--quiet", action="store_true", help="print only the final lines")

    predict = commands.add_parser("predict", help="top-k next symbols after a context")
    predict.add_argument("run", help="run folder written by 'train'")
    predict.add_argument("context", help='e.g. "had a general"')
    predict.add_argument("-k", type=int, default=5, help="how many symbols to list")

    generate = commands.add_parser(
        "generate", help="write a story from a context, feeding each prediction back"
    )
    generate.add_argument("run", help="run folder written by 'train'")
    generate.add_argument("context", help='e.g. "had a general"')
    generate.add_argument("-n", type=int, default=32, help="symbols to generate")
    generate.add_argument("--strategy", choices=("greedy", "sample"), default="greedy")
    generate.add_argument("--temperature", type=float, default=1.0)
    generate.add_argument("--top-k", type=int, default=None, help="sample only among the k best")
    generate.add_argument("--seed", type=int, default=0)
    return parser


def _configs_from_arguments(arguments: argparse.Namespace, given: set[str]):
    corpus_config = CorpusConfig(symbol_mode=arguments.symbol_mode, lowercase=not arguments.keep_case)
    if arguments.article:
        model_config, train_config = article_configs(n_input=arguments.n_input, layers=arguments.layers)
        overrides = {name: getattr(arguments, name) for name in ("steps", "holdout") if name in given}
        if overrides:
            train_config = TrainConfig(**{**train_config.to_dict(), **overrides})
        return corpus_config, model_config, train_config
    model_config = ModelConfig(
        n_input=arguments.n_input,
        layers=arguments.layers,
        units=arguments.units,
        encoding=arguments.encoding,
        embedding_dim=arguments.embedding_dim,
    )
    train_config = TrainConfig(
        steps=arguments.steps,
        batch_size=arguments.batch_size,
        optimizer=arguments.optimizer,
        learning_rate=arguments.lr,
        seed=arguments.seed,
        holdout=arguments.holdout,
        stop_when_learned=not arguments.run_all_steps,
        distribute=arguments.distribute,
    )
    return corpus_config, model_config, train_config


def _explicit_options(argv: list[str]) -> set[str]:
    return {item[2:].split("=")[0].replace("-", "_") for item in argv if item.startswith("--")}


def _print_article_lines(progress, printed_until: int, display_step: int) -> int:
    """Print one article-style block per `display_step` steps completed since `printed_until`."""
    while printed_until + display_step <= len(progress.losses):
        end = printed_until + display_step
        losses = progress.losses[printed_until:end]
        accuracies = progress.batch_accuracies[printed_until:end]
        line = (
            f"Iter= {end}, Average Loss= {sum(losses) / len(losses):.6f}, "
            f"Average Accuracy= {100 * sum(accuracies) / len(accuracies):.2f}%"
        )
        if progress.holdout_losses:
            line += (
                f", Held-out Loss= {progress.holdout_losses[-1]:.6f}, "
                f"Held-out Accuracy= {100 * progress.holdout_accuracies[-1]:.2f}%"
            )
        print(line, flush=True)
        if progress.samples:
            print(progress.samples[-1].text, flush=True)
        printed_until = end
    return printed_until


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _final_line(progress) -> str:
    """The last line of `train`: how it ended, and the LSTM's and the n-gram's accuracies."""
    correct = round((progress.final_accuracy or 0.0) * progress.evaluation_window_count)
    line = (
        f"{progress.status.capitalize()} after {progress.step} steps in {progress.elapsed_seconds:.1f} s: "
        f"exact accuracy {correct}/{progress.evaluation_window_count} training windows "
        f"({_percent(progress.final_accuracy)}; best possible {_percent(progress.ceiling)})"
    )
    if progress.holdout_window_count:
        return (
            f"{line}; held-out {_percent(progress.final_holdout_accuracy)}. "
            f"n-gram: training {_percent(progress.ngram_accuracy)}, "
            f"held-out {_percent(progress.ngram_holdout_accuracy)}."
        )
    return f"{line}; n-gram {_percent(progress.ngram_accuracy)}."


def _tensorboard(log_dir: str | None):
    """A factory of Keras' own TensorBoard callback writing to `log_dir` (None without the option)."""
    if not log_dir:
        return None

    def callbacks() -> list:
        import keras

        # One point per fit chunk (up to 1,000 steps) of loss and accuracy, and the model's graph.
        return [keras.callbacks.TensorBoard(log_dir=log_dir, write_graph=True, update_freq="epoch")]

    return callbacks


def command_train(arguments: argparse.Namespace, given: set[str]) -> int:
    from nextword.corpus import load_story
    from nextword.dataset import prepare_training_data
    from nextword.progress import Status
    from nextword.run import TrainingRun

    corpus_config, model_config, train_config = _configs_from_arguments(arguments, given)
    story_path = Path(arguments.story)
    try:
        data_bytes = story_path.read_bytes()
    except OSError as error:
        raise NextwordError(f"Cannot read the story {story_path}: {error.strerror or error}.") from None
    story = load_story(data_bytes, corpus_config, name=story_path.stem)
    data = prepare_training_data(story, model_config)
    print(
        f"Story {story_path.name}: {len(story.symbols)} symbols, {len(data.vocabulary)} distinct "
        f"({story.encoding}); {data.window_count} windows of {model_config.n_input}; "
        f"best possible accuracy {data.ceiling_count}/{data.window_count}.",
        flush=True,
    )
    capped_note = data.vocabulary.capped_note(corpus_config.max_vocabulary)
    if capped_note:
        print(capped_note, flush=True)
    session = TrainingRun(
        data, model_config, train_config, extra_callbacks=_tensorboard(arguments.tensorboard)
    )
    if train_config.holdout:
        print(
            f"Held out: the last {train_config.holdout}% of the story, "
            f"{session.windows.split.held_out_count} windows never trained on; "
            f"{session.windows.train_count} windows train.",
            flush=True,
        )
    display_step = 1000 if train_config.steps >= 5000 else max(1, train_config.steps // 10)
    printed_until = 0
    session.start()
    try:
        while session.is_alive():
            time.sleep(0.05)
            if not arguments.quiet:
                printed_until = _print_article_lines(session.progress(), printed_until, display_step)
    except KeyboardInterrupt:
        print("Stopping (keeping what was learned)...", file=sys.stderr, flush=True)
        session.stop()
    progress = session.wait()
    if progress.status == Status.FAILED:
        raise NextwordError(progress.error or "Training failed.")
    if not arguments.quiet:
        _print_article_lines(progress, printed_until, display_step)
    if progress.stop_reason:
        print(progress.stop_reason, flush=True)
    print(_final_line(progress), flush=True)
    out = Path(arguments.out) if arguments.out else Path("runs") / story_path.stem
    session.save(out)
    print(f"Saved the run to {out}", flush=True)
    return 0


def _load(run_dir: str):
    """(predictor, the story's symbols or None, the n-gram yardstick or None) of a run folder."""
    from nextword.baseline import NGramModel
    from nextword.checkpoint import load_run
    from nextword.corpus import load_story
    from nextword.predict import Predictor
    from nextword.windows import holdout_split, make_windows

    run = load_run(run_dir)
    predictor = Predictor.from_model(run.model, run.vocabulary, run.corpus_config, run.model_config)
    if run.story_text is None:
        return predictor, None, None
    symbols = load_story(run.story_text, run.corpus_config).symbols
    n_input = run.model_config.n_input
    contexts, targets = make_windows(run.vocabulary.encode(symbols), n_input)
    train = holdout_split(len(symbols), n_input, run.train_config.holdout).train
    ngram = NGramModel().fit(contexts[train], targets[train], len(run.vocabulary))
    return predictor, symbols, ngram


def command_predict(arguments: argparse.Namespace) -> int:
    if arguments.k < 1:
        raise NextwordError("-k must be at least 1.")
    predictor, _, ngram = _load(arguments.run)
    pairs = predictor.top_k(arguments.context, arguments.k)
    columns = [("LSTM", pairs)]
    if ngram is not None:
        context_ids = predictor.encode_context(arguments.context)
        vocabulary = predictor.vocabulary
        ngram_pairs = [
            (vocabulary.symbol_of(symbol_id), probability)
            for symbol_id, probability in ngram.top_k(context_ids, arguments.k)
        ]
        columns.append(("n-gram", ngram_pairs))
    width = max(len(symbol) for _, column in columns for symbol, _ in column)
    print(f"Next symbol after {predictor.context_symbols(arguments.context)[-predictor.n_input :]}:")
    cell = width + 20
    print("    " + "".join(f"{name:<{cell}}" for name, _ in columns).rstrip())
    for rank in range(len(pairs)):
        cells = []
        for _, column in columns:
            symbol, probability = column[rank]
            cells.append(f"{symbol:<{width}} {probability:7.2%} {'#' * round(probability * 10):<10}")
        print(f"{rank + 1:>2}. " + "  ".join(cells).rstrip())
    return 0


def command_generate(arguments: argparse.Namespace) -> int:
    from nextword.copying import CopyFinder, copy_summary

    predictor, symbols, _ = _load(arguments.run)
    generation = predictor.generate(
        arguments.context,
        n_words=arguments.n,
        strategy=arguments.strategy,
        temperature=arguments.temperature,
        top_k=arguments.top_k,
        seed=arguments.seed,
    )
    print(generation.text)
    if symbols is not None:
        finder = CopyFinder(symbols, min_run=predictor.n_input + 1)
        print(copy_summary(finder.find(generation.context, generation.generated)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code (0, or 2 with one line on stderr)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "train":
            return command_train(arguments, _explicit_options(argv))
        if arguments.command == "predict":
            return command_predict(arguments)
        return command_generate(arguments)
    except NextwordError as error:  # includes ValueError from the configs' own checks
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("error: out of memory: use a smaller model or a shorter story.", file=sys.stderr)
        return EXIT_USAGE
