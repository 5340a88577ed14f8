"""The one rule for "learned all it can", used by the tracker's scoring and inside the compiled blocks.

A run has learned all it can when every window that can be right is right (the ceiling) and the
mean loss of its last `LEARNED_LOSS_STEPS` steps is within `LEARNED_LOSS_MARGIN` of the lowest any
model can reach on the story. `LearnedRule.met` is written with comparison operators only, so the
same code reads plain numbers (the tracker) and tensors (a compiled block). No TensorFlow here.
"""

from __future__ import annotations

from dataclasses import dataclass

# How far (nats) above the story's lowest possible loss the recent mean loss may be.
LEARNED_LOSS_MARGIN = 0.05
# Steps whose losses the rule averages.
LEARNED_LOSS_STEPS = 5


@dataclass(frozen=True)
class LearnedRule:
    """The "learned all it can" test of one run.

    Attributes:
        ceiling_count: windows the best possible predictor gets right.
        loss_limit: the highest mean loss of the last `LEARNED_LOSS_STEPS` steps that counts as learned.
    """

    ceiling_count: object  # an int, or an int32 tensor inside a compiled block
    loss_limit: object  # a float, or a float32 tensor inside a compiled block

    def met(self, correct, mean_recent_loss):
        """Whether weights that get `correct` windows right, after steps of this mean loss, have learned."""
        return (correct >= self.ceiling_count) & (mean_recent_loss <= self.loss_limit)


def stop_reason(step: int, lowest_loss: float, total_steps: int) -> str:
    """The sentence a run that stopped because it learned all it can shows."""
    return (
        f"Stopped at step {step:,}: learned all it can. Every window that can be right "
        f"is right, and the loss is within {LEARNED_LOSS_MARGIN} of the lowest any model can "
        f"reach on this story ({lowest_loss:.3f}). Turn off “Stop when learned” to run "
        f"all {total_steps:,} steps."
    )
