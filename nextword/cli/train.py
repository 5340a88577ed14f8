"""The console of `python -m nextword train`: the article's progress lines, the last line, saving.

Training prints progress the way the article does (`Iter= 1000, Average Loss= ..., Average
Accuracy= ...%` and a sample line), then how the run ended beside the n-gram yardstick, and saves
the run folder. It drives the same `TrainingRun` as the page.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

from nextword.cli.arguments import configs_from_arguments
from nextword.errors import NeedsCharacterModeError, NextwordError
from nextword.text.run_windows import suggested_settings
from nextword.training.checkpoint import METRICS_FILE


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


def score_lines(metrics: dict) -> list[str]:
    """The run's perplexity, top-1 and top-5 for the LSTM and the n-gram, as in metrics.json."""
    best = metrics.get("best_step")
    kept = f" (the weights of step {best:,}, its best on the held-out part)" if best is not None else ""
    lines = [f"{'':40}{'perplexity':>11}{'top-1':>8}{'top-5':>8}"]
    models = (
        ("LSTM", metrics["lstm"]),
        (f"n-gram (Kneser-Ney, order {metrics['ngram']['order']})", metrics["ngram"]),
    )
    for name, scores in models:
        for part, label in (("training", "training"), ("held_out", "held-out")):
            value = scores[part]
            if value is not None:
                lines.append(
                    f"{name + ', ' + label:40}{value['perplexity']:>11.1f}{_percent(value['top1']):>8}"
                    f"{_percent(value['top5']):>8}" + (kept if name == "LSTM" and part == "held_out" else "")
                )
    if metrics["held_out_windows"]:
        unseen = metrics["unseen_held_out_words"]
        words = (
            "held-out word never occurs in the training part and counts"
            if unseen == 1
            else "held-out words never occur in the training part and count"
        )
        lines.append(
            f"Perplexity: as unsure as choosing among that many words (lower is better; guessing "
            f"uniformly: {metrics['vocabulary']:,}). {unseen:,} {words} as ⟨unk⟩."
        )
    return lines


def story_and_settings(arguments: argparse.Namespace, given: set[str]):
    """(story, model config, train config) of a command: the options typed, and for the rest the
    page's suggestions for a story of this length (hold-out, steps, dropout); the article's recipe
    keeps its own. NextwordError with a sentence when the story cannot be read or used.
    """
    from nextword.text.corpus import load_story

    corpus_config, model_config, train_config = configs_from_arguments(arguments, given)
    story_path = Path(arguments.story)
    try:
        data_bytes = story_path.read_bytes()
    except OSError as error:
        raise NextwordError(f"Cannot read the story {story_path}: {error.strerror or error}.") from None
    try:
        story = load_story(data_bytes, corpus_config, name=story_path.stem)
    except NeedsCharacterModeError as error:
        raise NeedsCharacterModeError(f"{error} Add --symbol-mode characters.") from None
    if "article" in given:
        return story, model_config, train_config
    suggestion = suggested_settings(story.symbol_count, model_config.n_input, train_config.batch_size)
    model_changes = {} if "dropout" in given else {"dropout": suggestion.dropout}
    train_changes = {name: getattr(suggestion, name) for name in ("holdout", "steps") if name not in given}
    return (
        story,
        dataclasses.replace(model_config, **model_changes),
        dataclasses.replace(train_config, **train_changes),
    )


def command_train(arguments: argparse.Namespace, given: set[str]) -> int:
    """Train on the story, printing as the article does; save the run folder; return 0."""
    from nextword.text.dataset import prepare_training_data
    from nextword.training.progress import Status
    from nextword.training.run import TrainingRun
    from nextword.training.tensorboard import TensorBoardWriter

    story, model_config, train_config = story_and_settings(arguments, given)
    story_path = Path(arguments.story)
    data = prepare_training_data(story, model_config, train_config.holdout)
    print(
        f"Story {story_path.name}: {len(story.symbols)} symbols, {len(data.vocabulary)} distinct "
        f"({story.encoding}); {data.window_count} windows of {model_config.n_input}; "
        f"best possible accuracy {data.ceiling_count}/{data.window_count}.",
        flush=True,
    )
    for note in (story.encoding_note, data.vocabulary.capped_note(story.config.max_vocabulary)):
        if note:
            print(note, flush=True)
    run = TrainingRun(data, model_config, train_config)
    tensorboard = TensorBoardWriter(arguments.tensorboard) if arguments.tensorboard else None
    if tensorboard is not None:
        run.add_listener(tensorboard)
    if train_config.holdout:
        print(
            f"Held out: the last {train_config.holdout}% of the story, "
            f"{run.windows.split.held_out_count} windows never trained on; "
            f"{run.windows.train_count} windows train.",
            flush=True,
        )
    display_step = 1000 if train_config.steps >= 5000 else max(1, train_config.steps // 10)
    printed_until = 0
    run.start()
    try:
        while run.is_alive():
            time.sleep(0.05)
            if not arguments.quiet:
                printed_until = _print_article_lines(run.progress(), printed_until, display_step)
    except KeyboardInterrupt:
        print("Stopping (keeping what was learned)...", file=sys.stderr, flush=True)
        run.stop()
    progress = run.wait()
    if tensorboard is not None:
        tensorboard.close(run.model)
    if progress.status == Status.FAILED:
        raise NextwordError(progress.error or "Training failed.")
    if not arguments.quiet:
        _print_article_lines(progress, printed_until, display_step)
    if progress.stop_reason:
        print(progress.stop_reason, flush=True)
    print(_final_line(progress), flush=True)
    out = Path(arguments.out) if arguments.out else Path("runs") / story_path.stem
    run.save(out)
    metrics = json.loads((out / METRICS_FILE).read_text(encoding="utf-8"))
    for line in score_lines(metrics):
        print(line, flush=True)
    print(f"Saved the run to {out}", flush=True)
    return 0
