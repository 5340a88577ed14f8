"""Inside the LSTM: what a trained model does, computed from the numpy predictor as plain data.

The computations behind the page's inside views (issue 11), each on a `Predictor`'s weights and
never on TensorFlow: the story as the model reads it (`reading_strip`), the gates and memory of one
prediction (`prediction_gates`, `changing_units`), the map of the learned symbol vectors
(`word_map`, `nearest_neighbours`), one prediction in slow motion (`slow_motion`) and the table of
the model's layers (`model_summary`). Nothing here knows about Streamlit; the page draws the results.
"""

from nextword.inside.gates import (
    QUANTITY_CAPTIONS,
    QUANTITY_LABELS,
    changing_units,
    context_before,
    prediction_gates,
)
from nextword.inside.slow_motion import MotionStep, slow_motion
from nextword.inside.strip import ReadingStrip, reading_strip
from nextword.inside.summary import model_summary
from nextword.inside.word_map import nearest_neighbours, word_map

__all__ = [
    "QUANTITY_CAPTIONS",
    "QUANTITY_LABELS",
    "MotionStep",
    "ReadingStrip",
    "changing_units",
    "context_before",
    "model_summary",
    "nearest_neighbours",
    "prediction_gates",
    "reading_strip",
    "slow_motion",
    "word_map",
]
