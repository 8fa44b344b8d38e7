#!/usr/bin/env python3
"""The logit margin as an anomaly score, numpy only: minus the gap between
the two largest logits of each input (detect's `margin`). Writes a score
for every input.

    scripts/detectors/margin.py TASKS/tasks/* -o SCORES/margin
"""

import numpy as np

import taskio


def score(task):
    z = task.hook(task.info["logits_hook"])  # [p², p]
    top = np.sort(z, axis=1)[:, -2:]  # the second largest, the largest
    return -(top[:, 1] - top[:, 0])  # [p²]


if __name__ == "__main__":
    taskio.main(score, __doc__)
