"""One prediction in slow motion: words → ids → vectors → LSTM states → scores → the chosen word.

Computed from the numpy predictor as plain data, never with TensorFlow; the page draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nextword.inference.predictor import Predictor
from nextword.text.corpus import detokenize


@dataclass(frozen=True)
class MotionStep:
    """One step of a prediction shown in slow motion."""

    # What the step is: "context", "ids", "vectors" (or "numbers" for the raw index), "lstm" (one
    # per input symbol), "scores", "softmax", "choice", "feedback".
    key: str
    # The part of the model to highlight: "input", "dictionary", "embedding" (or "raw index"),
    # "lstm", "dense", "softmax", "output".
    part: str
    title: str
    explanation: str  # one or two sentences for a student
    data: dict[str, Any]  # the step's real numbers as plain Python (str, int, float, lists, dicts)


def _quoted(symbols: Sequence[str], symbol_mode: str) -> str:
    return f"“{detokenize(list(symbols), symbol_mode)}”"


def slow_motion(predictor: Predictor, context: str | Sequence[str], top: int = 5) -> list[MotionStep]:
    """The steps of one prediction, from the context's words to the chosen symbol fed back in.

    As the article's Figure 2 and its generation paragraph: symbols → ids → vectors (or the raw
    index) → the LSTM's state after each input symbol → scores → softmax → the most likely symbol,
    which joins the context for the next prediction. `top` is how many scores and probabilities
    each step lists.
    """
    vocabulary = predictor.vocabulary
    mode = predictor.corpus_config.symbol_mode
    symbols = tuple(predictor.context_symbols(context)[-predictor.n_input :])
    ids = predictor.vocabulary.encode(symbols)
    trace = predictor.trace(ids)
    n_input, size = len(symbols), len(vocabulary)
    top = max(1, min(int(top), size))
    best = np.argsort(-trace.probabilities, kind="stable")[:top]
    chosen = int(best[0])
    chosen_symbol = vocabulary.symbol_of(chosen)
    steps = [
        MotionStep(
            "context",
            "input",
            "The context",
            f"The model reads the last {n_input} symbols, {_quoted(symbols, mode)}, and will guess the "
            "symbol that comes next.",
            {"symbols": list(symbols)},
        ),
        MotionStep(
            "ids",
            "dictionary",
            "Symbols become ids",
            "Each symbol is replaced by its number in the dictionary: symbols are ranked by how often the "
            f"story uses them, so the most frequent, “{vocabulary.symbol_of(0)}”, is 0.",
            {"symbols": list(symbols), "ids": list(ids)},
        ),
    ]
    if predictor.embedding is not None:
        inputs_step = MotionStep(
            "vectors",
            "embedding",
            "Ids become vectors",
            f"Each id picks its row of the embedding: {trace.inputs.shape[1]} learned numbers per "
            "symbol. Symbols used in similar places end up with similar vectors.",
            {"symbols": list(symbols), "ids": list(ids), "vectors": trace.inputs.tolist()},
        )
    else:
        inputs_step = MotionStep(
            "numbers",
            "raw index",
            "Ids are the input",
            "In the article's encoding the LSTM gets each id itself as one number. Easy, but the "
            "“meaning” of the word is lost: to the network, id 20 is just a little more than id 19.",
            {"symbols": list(symbols), "ids": list(ids), "numbers": trace.inputs[:, 0].tolist()},
        )
    steps.append(inputs_step)
    layers_note = (
        f" Each of the {len(trace.layers)} layers reads the hidden state of the layer below."
        if len(trace.layers) > 1
        else ""
    )
    for step, symbol in enumerate(symbols):
        if step == n_input - 1:
            explanation = (
                f"After “{symbol}”, the top layer's last hidden state sums up the whole context: it alone "
                "goes on to the output."
            )
        elif step == 0:
            explanation = (
                f"The LSTM starts from an empty memory (zeros): reading “{symbol}”, its gates decide what to "
                "write into the cell state, its memory, and what to show as the hidden state."
            )
        else:
            explanation = (
                f"Reading “{symbol}”, the forget gate keeps part of the memory of the symbols before and the "
                "input gate writes in something of this one."
            )
        steps.append(
            MotionStep(
                "lstm",
                "lstm",
                f"The LSTM reads “{symbol}” ({step + 1} of {n_input})",
                explanation + layers_note,
                {
                    "step": step,
                    "symbol": symbol,
                    "layers": [
                        {
                            "layer": index + 1,
                            "hidden": layer.hidden[step].tolist(),
                            "cell": layer.cell[step].tolist(),
                        }
                        for index, layer in enumerate(trace.layers)
                    ],
                },
            )
        )

    def listed(values: np.ndarray, name: str) -> list[dict[str, Any]]:
        return [
            {"symbol": vocabulary.symbol_of(int(index)), "id": int(index), name: float(values[index])}
            for index in best
        ]

    next_symbols = symbols[1:] + (chosen_symbol,)
    steps += [
        MotionStep(
            "scores",
            "dense",
            "Output scores",
            f"The output layer turns the last hidden state into one score per symbol of the dictionary, "
            f"{size:,} scores: the higher, the likelier. Scores can be any number, negative too.",
            {
                "top": listed(trace.logits, "score"),
                "vocabulary_size": size,
                "lowest": float(trace.logits.min()),
                "highest": float(trace.logits.max()),
            },
        ),
        MotionStep(
            "softmax",
            "softmax",
            "Softmax probabilities",
            f"Softmax turns the scores into {size:,} probabilities that sum to 1: e to the power of each "
            "score, divided by the sum of them all.",
            {
                "top": listed(trace.probabilities, "probability"),
                "others": float(max(0.0, 1.0 - trace.probabilities[best].sum())),
            },
        ),
        MotionStep(
            "choice",
            "output",
            "The chosen symbol",
            f"The most likely id, {chosen}, is the prediction: the reverse dictionary turns it back into "
            f"“{chosen_symbol}” (probability {trace.probabilities[chosen]:.0%}).",
            {"symbol": chosen_symbol, "id": chosen, "probability": float(trace.probabilities[chosen])},
        ),
        MotionStep(
            "feedback",
            "input",
            "Fed back in",
            f"To write on, “{chosen_symbol}” joins the context and the oldest symbol, “{symbols[0]}”, "
            f"leaves: {_quoted(next_symbols, mode)} goes through the same steps to predict the next symbol.",
            {"dropped": symbols[0], "symbols": list(next_symbols), "ids": list(ids[1:]) + [chosen]},
        ),
    ]
    return steps
