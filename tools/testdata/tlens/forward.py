"""For tools/python_test.go: run the lines load_run.py printed (read from
stdin) to build a HookedTransformer, then print the logits at the last
position of every input (a, b, =), a, b < p, in float64: one line
"a b logit_0 … logit_{p-1}" each.

TransformerLens itself is used when it is installed. Where it is not (the
tests' machines: see tlens_reference.py), the one line that imports it is
rewritten to import tlens_reference, the independent re-implementation
beside this file. The first line on stderr says which ran.
"""

import os
import sys

import torch

IMPORT = "from transformer_lens import HookedTransformer, HookedTransformerConfig\n"

code = sys.stdin.read()
if code.count(IMPORT) != 1:
    sys.exit(f"forward.py: the lines read do not import TransformerLens as expected ({IMPORT.strip()!r}):\n{code}")
try:
    import transformer_lens
    print(f"forward pass: transformer_lens {getattr(transformer_lens, '__version__', '(no version)')}", file=sys.stderr)
except ImportError:
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    code = code.replace(IMPORT, "from tlens_reference import HookedTransformer, HookedTransformerConfig\n")
    print("forward pass: tlens_reference (TransformerLens is not installed)", file=sys.stderr)

scope = {}
exec(code, scope)
model, run = scope["model"], scope["run"]
p = run.config["model"]["p"]
tokens = torch.tensor([[a, b, p] for a in range(p) for b in range(p)])
with torch.no_grad():
    model = model.double()
    logits = model(tokens.to(next(model.parameters()).device))[:, -1, :].cpu()
assert logits.shape == (p * p, p), logits.shape
for (a, b), row in zip(tokens[:, :2].tolist(), logits.tolist()):
    print(a, b, " ".join(repr(x) for x in row))
