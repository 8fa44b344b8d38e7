#!/usr/bin/env python3
"""Mahalanobis distance of the hidden layer, numpy only. The hidden layer is
task.json's hidden_hook (the transformer's blocks.0.mlp.hook_post, the MLP's
hook_hidden). The mean μ and covariance Σ are fitted on the trusted inputs
(--fit trusted, the default: detect's `trusted-mahalanobis`) or on every
input of Z_p², which needs no data (--fit all: detect's `mahalanobis`).
Σ is normalised by the count and ridged by 1e-3 of its mean variance plus
1e-12 (as pkg/detect); each untrusted input's score is
√((x − μ)ᵀ Σ⁻¹ (x − μ)), through an eigendecomposition whose eigenvalues
are floored at the ridge. Writes a score for every untrusted input (train
and test).

    scripts/detectors/mahalanobis.py TASKS/tasks/* -o SCORES/mahalanobis
"""

import numpy as np

import taskio


def distances(fit, x):
    """‖Σ^(-1/2)(x − μ)‖ per row of x [n, H], μ and Σ from fit [m, H]."""
    m, d = fit.shape
    mu = fit.mean(axis=0)  # [H]
    r = fit - mu
    cov = r.T @ r / m  # [H, H]
    ridge = 1e-3 * np.trace(cov) / d + 1e-12
    cov[np.diag_indices(d)] += ridge
    lam, v = np.linalg.eigh(cov)
    w = (v / np.sqrt(np.maximum(lam, ridge))) @ v.T  # Σ^(-1/2) [H, H]
    y = (x - mu) @ w  # [n, H]
    return np.sqrt((y * y).sum(axis=1))  # [n]


def score(task, fit):
    h = task.hook(task.info["hidden_hook"])  # [p², H]
    ref = h[task.split == taskio.TRUSTED] if fit == "trusted" else h  # [m, H]
    return distances(ref, h[task.untrusted])  # [untrusted]


if __name__ == "__main__":
    taskio.main(score, __doc__, options={"--fit": ("trusted", "all")})
