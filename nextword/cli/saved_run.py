"""The commands that read a saved run folder: `predict` (top-k) and `generate` (a story on).

`predict` lists the LSTM's and the n-gram's most likely next symbols side by side; `generate`
writes on from a context and says which stretches it copied from the story. The n-gram and the
copy check need the story the run folder keeps; a folder without it gets the LSTM alone.
"""

from __future__ import annotations

import argparse

from nextword.errors import NextwordError


def _load_run_folder(run_dir: str):
    """(predictor, the story's symbols or None, the n-gram yardstick or None) of a run folder."""
    from nextword.inference.ngram import NGramModel
    from nextword.inference.predictor import Predictor
    from nextword.text.corpus import load_story
    from nextword.text.windows import holdout_split, make_windows
    from nextword.training.checkpoint import load_run

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
    """Print the k most likely next symbols after the context, the LSTM's beside the n-gram's."""
    if arguments.k < 1:
        raise NextwordError("-k must be at least 1.")
    predictor, _, ngram = _load_run_folder(arguments.run)
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
    """Print the context and the symbols generated after it, then what of them the story holds."""
    from nextword.inference.copying import CopyFinder, copy_summary

    predictor, symbols, _ = _load_run_folder(arguments.run)
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
