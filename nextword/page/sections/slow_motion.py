"""Inside the LSTM, one prediction in slow motion (Next / Back), then the model's own table.

From the context's symbols to their ids, vectors, the LSTM's state after each one, the scores,
the softmax and the chosen symbol fed back in, as the article's Figure 2 tells it; then the
layers, shapes and parameter counts the prediction went through, like Keras' model.summary().
"""

from __future__ import annotations

import streamlit as st

from nextword import inside
from nextword.inference.predictor import Predictor
from nextword.page.format import escape_markdown
from nextword.page.options import UNITS_SHOWN
from nextword.page.state import TabState
from nextword.training.backend import RunHandle

_MOTION_PARTS = ("input", "dictionary", "embedding", "raw index", "lstm", "dense", "softmax", "output")


def _move(by: int, last: int) -> None:
    tab = TabState()
    tab.motion_step = max(0, min(last, tab.motion_step + by))


def _step_table(step: inside.MotionStep):
    """The step's real numbers as a table (symbols in a table need no escaping)."""
    data = step.data
    if step.key in ("context", "ids", "feedback"):
        table = {"symbol": data["symbols"]}
        if "ids" in data:
            table["id"] = data["ids"]
        return table
    if step.key == "vectors":
        return {
            "symbol": data["symbols"],
            "id": data["ids"],
            "vector": [", ".join(f"{value:+.2f}" for value in vector) for vector in data["vectors"]],
        }
    if step.key == "numbers":
        return {"symbol": data["symbols"], "id": data["ids"], "number the LSTM reads": data["numbers"]}
    if step.key == "lstm":
        return {
            "layer": [layer["layer"] for layer in data["layers"] for _ in ("hidden", "cell")],
            "state": [name for _ in data["layers"] for name in ("hidden state", "cell state")],
            f"first {UNITS_SHOWN} units": [
                ", ".join(f"{value:+.2f}" for value in layer[name][:UNITS_SHOWN])
                for layer in data["layers"]
                for name in ("hidden", "cell")
            ],
        }
    if step.key in ("scores", "softmax"):
        return data["top"]
    return {"symbol": [data["symbol"]], "id": [data["id"]], "probability": [data["probability"]]}


def slow_motion_view(predictor: Predictor, context: tuple[str, ...] | None) -> None:
    """One prediction, a step at a time, from the context's symbols to the chosen one fed back in."""
    st.subheader("One prediction in slow motion")
    if context is None:
        st.info("Pick a place (or type a context) that the model can read, above, to follow its prediction.")
        return
    steps = inside.slow_motion(predictor, context)
    tab = TabState()
    if tab.motion_for != context:
        tab.motion_for, tab.motion_step = context, 0
    last = len(steps) - 1
    index = max(0, min(last, tab.motion_step))
    step = steps[index]
    back, forward, where = st.columns([1, 1, 6])
    back.button("Back", key="motion_back", on_click=_move, args=(-1, last), disabled=index == 0)
    forward.button("Next", key="motion_next", on_click=_move, args=(1, last), disabled=index == last)
    where.progress((index + 1) / len(steps), text=f"Step {index + 1} of {len(steps)}")
    parts = [
        part
        for part in _MOTION_PARTS
        if part != ("raw index" if predictor.embedding is not None else "embedding")
    ]
    st.markdown(" → ".join(f"**:blue-background[{part}]**" if part == step.part else part for part in parts))
    st.markdown("**" + escape_markdown(step.title) + "**")
    st.markdown(escape_markdown(step.explanation))
    st.dataframe(_step_table(step), hide_index=True)


def model_view(run: RunHandle) -> None:
    """The model's layers, shapes and parameter counts, like Keras' model.summary()."""
    st.subheader("The model itself")
    rows = inside.model_summary(run.model_config, len(run.data.vocabulary))
    st.dataframe(
        {
            "layer": [row.name for row in rows],
            "kind": [row.kind for row in rows],
            "output shape": [str(row.output_shape).replace("None", "batch") for row in rows],
            "parameters": [row.parameters for row in rows],
        },
        hide_index=True,
    )
    total = sum(row.parameters for row in rows)
    st.caption(
        f"{total:,} numbers learned in all. The command line's `train --tensorboard DIR` writes the run's "
        "loss, accuracy and graph for TensorBoard (`tensorboard --logdir DIR`)."
    )
