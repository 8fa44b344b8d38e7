"""An independent re-implementation of TransformerLens's HookedTransformer
forward pass, for tools/python_test.go only. This is NOT TransformerLens.

TransformerLens (PyPI: transformer-lens) cannot be installed where this
project's tests run: its machines reach Debian's packages but not PyPI, and
Debian packages no TransformerLens. So the test checks the weights and
config that scripts/load_run.py hands TransformerLens against this module
instead (forward.py runs load_run.py's printed lines with their import of
transformer_lens rewritten to this module, and only when the real package
is absent). It was written from TransformerLens's published formulas and
module layout (transformer_lens/components/: embed.py, pos_embed.py,
layer_norm.py, abstract_attention.py, mlps/mlp.py, transformer_block.py,
unembed.py; HookedTransformer.py; v2.16.1 and v3.5.1), not from grokkit's
Go code, and implements only what a run of fit needs. It shows that the
file's tensors, under TransformerLens's names and shapes and with the
config's settings, compute fit's logits; it cannot show that a given
TransformerLens release still does.

- HookedTransformerConfig takes the keyword arguments load_run.py passes,
  each a field of TransformerLens's HookedTransformerConfig (2.16.1, 3.5.1)
  with 2.16.1's default (3.5.1 differs only in act_fn's, "relu"); any other
  keyword is a TypeError, as there.
- HookedTransformer has TransformerLens's module tree, so the same
  state-dict names and shapes: embed.W_E [d_vocab, d_model], pos_embed.W_pos
  [n_ctx, d_model], blocks.{l}.ln1/ln2 (LayerNorm w, b [d_model] for "LN";
  nothing for None), blocks.{l}.attn.W_Q/W_K/W_V [n_heads, d_model, d_head],
  W_O [n_heads, d_head, d_model], b_Q/b_K/b_V [n_heads, d_head], b_O
  [d_model], the buffers mask and IGNORE, blocks.{l}.mlp.W_in [d_model,
  d_mlp], b_in [d_mlp], W_out [d_mlp, d_model], b_out [d_model], ln_final
  ("LN"), unembed.W_U [d_model, d_vocab_out], b_U [d_vocab_out]. torch's
  load_state_dict, strict by default, checks a state dict against them.
  The mask buffer is TransformerLens 3.x's: empty ([0, 0]), the causal mask
  being built for each forward pass (2.x held the [n_ctx, n_ctx] one).
- forward(tokens [batch, pos]) -> logits [batch, pos, d_vocab_out]:
  resid = W_E[tokens] + W_pos[:pos]; per block
  resid_mid = resid + attn(ln1(resid)), resid = resid_mid + mlp(ln2(resid_mid));
  logits = ln_final(resid) @ W_U + b_U. Attention: q = x·W_Q + b_Q per head
  (k, v alike), scores = q·k / √d_head (use_attn_scale), the keys after the
  query set to IGNORE (−inf) for attention_dir "causal", pattern = softmax
  over keys, z = pattern·v, out = Σ_heads z·W_O + b_O. MLP: relu(x·W_in +
  b_in)·W_out + b_out. LayerNorm: x − mean(x), divided by
  √(mean((x − mean)²) + eps), times w plus b.
"""

import dataclasses
import math
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclasses.dataclass
class HookedTransformerConfig:
    """Fields of TransformerLens's HookedTransformerConfig, with its defaults."""

    n_layers: int
    d_model: int
    n_ctx: int
    d_head: int
    n_heads: int = -1
    d_mlp: Optional[int] = None
    act_fn: Optional[str] = None
    d_vocab: int = -1
    d_vocab_out: int = -1
    eps: float = 1e-5
    use_attn_scale: bool = True
    normalization_type: Optional[str] = "LN"
    attention_dir: str = "causal"
    attn_only: bool = False
    positional_embedding_type: str = "standard"
    dtype: torch.dtype = torch.float32

    def __post_init__(self):
        if self.n_heads == -1:
            self.n_heads = self.d_model // self.d_head
        if self.d_mlp is None and not self.attn_only:
            self.d_mlp = 4 * self.d_model
        if self.d_vocab_out == -1:
            self.d_vocab_out = self.d_vocab
        # What this re-implementation computes; TransformerLens does more.
        if self.normalization_type not in (None, "LN") or self.positional_embedding_type != "standard" \
                or self.act_fn != "relu" or self.attn_only or self.attention_dir not in ("causal", "bidirectional"):
            raise NotImplementedError(f"tlens_reference computes none of this config: {self}")


def _param(*shape, dtype):
    return nn.Parameter(torch.empty(*shape, dtype=dtype))


class Embed(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_E = _param(cfg.d_vocab, cfg.d_model, dtype=cfg.dtype)

    def forward(self, tokens):  # [batch, pos] -> [batch, pos, d_model]
        return self.W_E[tokens, :]


class PosEmbed(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_pos = _param(cfg.n_ctx, cfg.d_model, dtype=cfg.dtype)

    def forward(self, tokens):  # [batch, pos] -> [1, pos, d_model]
        return self.W_pos[: tokens.size(-1), :].unsqueeze(0)


class LayerNorm(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.eps = cfg.eps
        self.w = nn.Parameter(torch.ones(cfg.d_model, dtype=cfg.dtype))
        self.b = nn.Parameter(torch.zeros(cfg.d_model, dtype=cfg.dtype))

    def forward(self, x):  # [batch, pos, d_model]
        x = x - x.mean(-1, keepdim=True)
        scale = (x.pow(2).mean(-1, keepdim=True) + self.eps).sqrt()
        return x / scale * self.w + self.b


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        h, m, d = cfg.n_heads, cfg.d_model, cfg.d_head
        self.W_Q, self.W_K, self.W_V = (_param(h, m, d, dtype=cfg.dtype) for _ in range(3))
        self.W_O = _param(h, d, m, dtype=cfg.dtype)
        self.b_Q, self.b_K, self.b_V = (nn.Parameter(torch.zeros(h, d, dtype=cfg.dtype)) for _ in range(3))
        self.b_O = nn.Parameter(torch.zeros(m, dtype=cfg.dtype))
        self.register_buffer("mask", torch.empty((0, 0), dtype=torch.bool))  # TransformerLens 3.x
        self.register_buffer("IGNORE", torch.tensor(-torch.inf))
        self.attn_scale = math.sqrt(d) if cfg.use_attn_scale else 1.0

    def forward(self, x):  # [batch, pos, d_model]
        q = torch.einsum("bpm,hmd->bphd", x, self.W_Q) + self.b_Q
        k = torch.einsum("bpm,hmd->bphd", x, self.W_K) + self.b_K
        v = torch.einsum("bpm,hmd->bphd", x, self.W_V) + self.b_V
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / self.attn_scale  # [batch, head, query, key]
        if self.cfg.attention_dir == "causal":
            n = x.size(1)
            causal = torch.tril(torch.ones((n, n), dtype=torch.bool))
            scores = torch.where(causal, scores, self.IGNORE.to(scores.dtype))
        pattern = F.softmax(scores, dim=-1)
        z = torch.einsum("bkhd,bhqk->bqhd", v, pattern)  # [batch, query, head, d_head]
        return torch.einsum("bqhd,hdm->bqm", z, self.W_O) + self.b_O


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_in = _param(cfg.d_model, cfg.d_mlp, dtype=cfg.dtype)
        self.b_in = nn.Parameter(torch.zeros(cfg.d_mlp, dtype=cfg.dtype))
        self.W_out = _param(cfg.d_mlp, cfg.d_model, dtype=cfg.dtype)
        self.b_out = nn.Parameter(torch.zeros(cfg.d_model, dtype=cfg.dtype))

    def forward(self, x):  # [batch, pos, d_model]
        return F.relu(x @ self.W_in + self.b_in) @ self.W_out + self.b_out


class TransformerBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        norm = LayerNorm if cfg.normalization_type == "LN" else (lambda cfg: nn.Identity())
        self.ln1 = norm(cfg)
        self.ln2 = norm(cfg)
        self.attn = Attention(cfg)
        self.mlp = MLP(cfg)

    def forward(self, resid_pre):
        resid_mid = resid_pre + self.attn(self.ln1(resid_pre))
        return resid_mid + self.mlp(self.ln2(resid_mid))


class Unembed(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W_U = _param(cfg.d_model, cfg.d_vocab_out, dtype=cfg.dtype)
        self.b_U = nn.Parameter(torch.zeros(cfg.d_vocab_out, dtype=cfg.dtype))

    def forward(self, x):  # [batch, pos, d_model] -> [batch, pos, d_vocab_out]
        return x @ self.W_U + self.b_U


class HookedTransformer(nn.Module):
    """TransformerLens's module tree and forward pass; no hooks, no cache."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embed = Embed(cfg)
        self.pos_embed = PosEmbed(cfg)
        self.blocks = nn.ModuleList([TransformerBlock(cfg) for _ in range(cfg.n_layers)])
        if cfg.normalization_type == "LN":
            self.ln_final = LayerNorm(cfg)
        self.unembed = Unembed(cfg)

    def forward(self, tokens):
        resid = self.embed(tokens) + self.pos_embed(tokens)
        for block in self.blocks:
            resid = block(resid)
        if self.cfg.normalization_type == "LN":
            resid = self.ln_final(resid)
        return self.unembed(resid)
