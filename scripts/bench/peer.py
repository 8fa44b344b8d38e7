"""PyTorch peers of fit's training steps on the CPU, for `make bench`.

peer.py nanda: the same network and step as fit's
BenchmarkNandaStep/p113/logits=float64 (and, with --p, --frac and the
sizes, the quickstart-shaped steps BenchmarkNandaStep/qs-p47 and qs-p23):
Nanda et al.'s one-layer transformer (d_model 128, 4 heads of 32, d_mlp 512,
no LayerNorm) on p = 113 with 30% of the pairs (3,830 rows), one full-batch
AdamW step (lr 1e-3, weight decay 1, betas (0.9, 0.98)) with the
cross-entropy of float64 logits. Written to be fast as a careful PyTorch
user would write it: only the "=" position's query, attention output and MLP
are computed (the logits are read there and "=" sees every position), Q, K
and V in one fused matmul, torch's 2 threads (the machine's cores).

peer.py gromov: BenchmarkGromovStep's, Gromov's quadratic MLP f = W2 (W1 x)²
/ (D·N) at p = 97, N = 500, half the pairs (4,704 rows), weights N(0, 1), MSE
on one-hot targets, AdamW; W1 x is two gathered columns, as a PyTorch user
would index an embedding.

Prints ms per step (the median of --repeats timings of --steps steps each,
after --warmup steps) and the process's peak RSS, one "key value" per line.
"""
import argparse
import math
import resource
import time

import torch
import torch.nn.functional as F


def nanda_step(a):
    p, d, h, dh, dm = a.p or 113, a.d_model, a.n_heads, a.d_head, a.d_mlp
    v = p + 1
    s = 1 / math.sqrt(d)

    def param(*shape, std=s):
        return (torch.randn(*shape) * std).requires_grad_()

    W_E, W_pos = param(v, d), param(3, d)
    W_QKV = param(d, 3 * h * dh)  # [d_model, (q|k|v) × heads × d_head]: one matmul
    W_O = param(h * dh, d)
    W_in, b_in = param(d, dm), torch.zeros(dm, requires_grad=True)
    W_out, b_out = param(dm, d), torch.zeros(d, requires_grad=True)
    W_U = param(d, p, std=1 / math.sqrt(v))
    params = [W_E, W_pos, W_QKV, W_O, W_in, b_in, W_out, b_out, W_U]
    x, y = pairs(p, a.frac or 0.3, equals=True)
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=1.0, betas=(0.9, 0.98))

    def step():
        r = W_E[x] + W_pos  # [batch, 3, d_model]
        qkv = (r @ W_QKV).view(-1, 3, 3, h, dh)  # [batch, pos, q|k|v, heads, d_head]
        q = qkv[:, 2, 0]  # [batch, heads, d_head]: the "=" query only
        k, val = qkv[:, :, 1], qkv[:, :, 2]  # [batch, pos, heads, d_head]
        scores = torch.einsum("bhe,bkhe->bhk", q, k) / math.sqrt(dh)  # "=" sees every position
        z = torch.einsum("bhk,bkhe->bhe", scores.softmax(-1), val).reshape(-1, h * dh)
        res = r[:, 2] + z @ W_O  # [batch, d_model]
        res = res + F.relu(res @ W_in + b_in) @ W_out + b_out
        loss = F.cross_entropy((res @ W_U).double(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def gromov_step(a):
    p, n = a.p or 97, 500
    W1 = torch.randn(n, 2 * p).requires_grad_()  # [N, 2P]
    W2 = torch.randn(p, n).requires_grad_()  # [P, N]
    x, y = pairs(p, a.frac or 0.5, equals=False)
    target = F.one_hot(y, p).float()
    opt = torch.optim.AdamW([W1, W2], lr=1e-3, weight_decay=1.0, betas=(0.9, 0.98))

    def step():
        W1t = W1.t()  # [2P, N]
        h = (W1t[x[:, 0]] + W1t[p + x[:, 1]]) ** 2  # [batch, N] = (W1 x)²
        f = h @ W2.t() / (2 * p * n)  # [batch, P]
        loss = F.mse_loss(f, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def pairs(p, frac, equals):
    rows = [(i, j, p) if equals else (i, j) for i in range(p) for j in range(p)]
    x = torch.tensor(rows)
    y = (x[:, 0] + x[:, 1]) % p
    keep = torch.randperm(p * p)[: int(frac * p * p)]
    return x[keep], y[keep]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["nanda", "gromov"])
    ap.add_argument("--p", type=int, default=0, help="modulus (default: nanda 113, gromov 97)")
    ap.add_argument("--frac", type=float, default=0, help="training share (default: nanda 0.3, gromov 0.5)")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--d-model", type=int, default=128, help="nanda: residual width (the quickstart's: 64)")
    ap.add_argument("--n-heads", type=int, default=4)
    ap.add_argument("--d-head", type=int, default=32, help="nanda: the quickstart's 16")
    ap.add_argument("--d-mlp", type=int, default=512, help="nanda: the quickstart's 256")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    step = {"nanda": nanda_step, "gromov": gromov_step}[a.model](a)
    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        for _ in range(a.steps):
            step()
        times.append((time.perf_counter() - t0) / a.steps * 1000)
    times.sort()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"ms_per_step {times[len(times) // 2]:.1f}")
    print(f"peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
