"""`python -m nextword experiment text-size STORY`: one of the page's experiments, as a table.

The same variants the page queues (nextword/training/experiments.py), trained one after the other
with the story's suggested settings where no option is typed, then one line per run and the
sentence the page shows.
"""

from __future__ import annotations

import argparse

from nextword.cli.train import story_and_settings
from nextword.errors import NextwordError


def command_experiment(arguments: argparse.Namespace, given: set[str]) -> int:
    """Train the experiment's variants on the story, print the table and the finding; return 0."""
    from nextword.text.dataset import prepare_training_data
    from nextword.training.experiments import BY_NAME, Outcome, finding
    from nextword.training.progress import Status
    from nextword.training.run import TrainingRun

    story, model_config, train_config = story_and_settings(arguments, given)
    experiment = BY_NAME[arguments.name.replace("-", "_")]
    print(f"{experiment.title} ({story.symbol_count:,} symbols) {experiment.teaches}", flush=True)
    header = f"{'run':28}{'training words':>15}{'LSTM':>9}{'n-gram':>9}{'LSTM top-1':>12}{'n-gram top-1':>14}"
    print("held-out perplexity and top-1 accuracy, the LSTM at its kept step:", flush=True)
    print(header, flush=True)
    outcomes = []
    for variant in experiment.variants(model_config, train_config):
        data = prepare_training_data(story, variant.model, variant.train.holdout)
        run = TrainingRun(data, variant.model, variant.train)
        run.start()
        progress = run.wait()
        if progress.status == Status.FAILED:
            raise NextwordError(f"{variant.label}: {progress.error}")
        metrics = run.metrics()
        lstm, ngram = metrics["lstm"]["held_out"], metrics["ngram"]["held_out"]
        print(
            f"{variant.label:28}{metrics['training_windows']:>15,}{lstm['perplexity']:>9.1f}"
            f"{ngram['perplexity']:>9.1f}{100 * lstm['top1']:>11.1f}%{100 * ngram['top1']:>13.1f}%",
            flush=True,
        )
        outcomes.append(
            Outcome(
                variant.label,
                progress.final_accuracy,
                lstm["top1"],
                progress.step,
                progress.elapsed_seconds,
                holdout_perplexity=lstm["perplexity"],
                ngram_holdout_perplexity=ngram["perplexity"],
                training_windows=metrics["training_windows"],
            )
        )
    print(finding(experiment, outcomes), flush=True)
    return 0
