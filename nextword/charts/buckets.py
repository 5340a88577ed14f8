"""Long curves reduced to a few hundred points: plain Python, no altair.

A chart draws at most `MAX_POINTS` points of a curve, each the mean of an equal bucket of steps, so
a 50,000-step run draws as fast as a 300-step one and a noisy per-step curve reads as a trend. The
page also keeps such points in its summaries of runs, on script runs that draw no chart: this
module does not load the chart library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

MAX_POINTS = 400


def finite(value: float) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value)


def bucket_means(values: Sequence[float]) -> list[dict[str, float]]:
    """Per-step values (step 1, 2, ...) reduced to at most `MAX_POINTS` bucket means.

    Each point is `{"step": last step of the bucket, "value": mean of its finite values}`;
    buckets with no finite value (a NaN loss) are left out rather than drawn as a gap of zeros.
    """
    count = len(values)
    size = max(1, math.ceil(count / MAX_POINTS))
    points = []
    for start in range(0, count, size):
        bucket = [value for value in values[start : start + size] if finite(value)]
        if bucket:
            points.append({"step": min(start + size, count), "value": sum(bucket) / len(bucket)})
    return points
