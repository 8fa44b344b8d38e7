"""PyTorch baseline for `make gpu-check`: Nanda et al.'s run as their code
trains it (one-layer transformer at every position with a causal mask,
p = 113, 30% of the pairs, full-batch AdamW lr 1e-3, weight decay 1,
betas (0.9, 0.98), 10-step linear warm-up), timed end to end on the GPU
with the test loss and accuracy evaluated every --eval-every steps.

Not part of the toolkit: it exists so that fit's GPU time can be put beside
PyTorch's on the same machine."""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Nanda(nn.Module):
    def __init__(self, p, d_model=128, n_heads=4, d_head=32, d_mlp=512):
        super().__init__()
        v, s = p + 1, 1 / math.sqrt(d_model)
        self.W_E = nn.Parameter(torch.randn(v, d_model) * s)
        self.W_pos = nn.Parameter(torch.randn(3, d_model) * s)
        self.W_Q = nn.Parameter(torch.randn(n_heads, d_model, d_head) * s)
        self.W_K = nn.Parameter(torch.randn(n_heads, d_model, d_head) * s)
        self.W_V = nn.Parameter(torch.randn(n_heads, d_model, d_head) * s)
        self.W_O = nn.Parameter(torch.randn(n_heads, d_head, d_model) * s)
        self.W_in = nn.Parameter(torch.randn(d_model, d_mlp) * s)
        self.b_in = nn.Parameter(torch.zeros(d_mlp))
        self.W_out = nn.Parameter(torch.randn(d_mlp, d_model) * s)
        self.b_out = nn.Parameter(torch.zeros(d_model))
        self.W_U = nn.Parameter(torch.randn(d_model, p) / math.sqrt(v))
        self.register_buffer("mask", torch.tril(torch.ones(3, 3)))
        self.d_head = d_head

    def forward(self, x):  # x [batch, 3]
        r = self.W_E[x] + self.W_pos  # [batch, 3, d_model]
        q = torch.einsum("bpd,hde->bhpe", r, self.W_Q)
        k = torch.einsum("bpd,hde->bhpe", r, self.W_K)
        v = torch.einsum("bpd,hde->bhpe", r, self.W_V)
        scores = torch.einsum("bhqe,bhke->bhqk", q, k) / math.sqrt(self.d_head)
        scores = scores.masked_fill(self.mask == 0, -1e10)
        z = torch.einsum("bhqk,bhke->bhqe", scores.softmax(-1), v)
        r = r + torch.einsum("bhqe,hed->bqd", z, self.W_O)
        r = r + F.relu(r @ self.W_in + self.b_in) @ self.W_out + self.b_out
        return r[:, -1] @ self.W_U  # logits at "=" [batch, p]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--p", type=int, default=113)
    ap.add_argument("--frac", type=float, default=0.3)
    ap.add_argument("--steps", type=int, default=40000)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=23093)
    a = ap.parse_args()
    dev = "cuda"
    torch.manual_seed(a.seed)
    p = a.p
    pairs = torch.tensor([(i, j, p) for i in range(p) for j in range(p)], device=dev)
    labels = (pairs[:, 0] + pairs[:, 1]) % p
    perm = torch.randperm(p * p, device=dev)
    n = int(a.frac * p * p)
    tr, te = perm[:n], perm[n:]
    model = Nanda(p).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1.0, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(s / 10, 1))
    torch.cuda.synchronize()
    t0 = time.time()
    for step in range(a.steps):
        loss = F.cross_entropy(model(pairs[tr]).double(), labels[tr])
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if (step + 1) % a.eval_every == 0:
            with torch.no_grad():
                logits = model(pairs[te]).double()
                test_loss = F.cross_entropy(logits, labels[te]).item()
                test_acc = (logits.argmax(-1) == labels[te]).float().mean().item()
    torch.cuda.synchronize()
    print(f"steps {a.steps}: train loss {loss.item():.3g}, test loss {test_loss:.3g}, test accuracy {test_acc:.4f}")
    print(f"pytorch {torch.__version__} on {torch.cuda.get_device_name()}: {time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
