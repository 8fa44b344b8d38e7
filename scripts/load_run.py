#!/usr/bin/env python3
"""Open a fit run folder in Python: its config, its metrics and its weights,
and build TransformerLens's HookedTransformer from it.

Usage: load_run.py RUN [--checkpoint STEP]

prints what the run is and the lines that build a HookedTransformer from it.
As a module (with this folder on sys.path):

    from load_run import load_run
    run = load_run("RUN")             # the final weights; step=S for a checkpoint
    run.config                        # config.json, a dict
    run.metrics                       # metrics.parquet: {step, split, kind, metric, value: numpy array}
    run.params                        # {name: numpy float32 array}: the file's tensors
    run.metadata                      # the file's metadata, {str: str}
    run.step                          # the weights' step
    run.hooked_transformer_config     # HookedTransformerConfig(**...)'s arguments, or None
    run.state_dict(model)             # {name: torch.Tensor} for model.load_state_dict

Needs numpy alone; torch for state_dict(). metrics.parquet is read by
parquet_read.py beside this file (numpy; Debian packages no Parquet reader
for Python) and checked against the SHA-256 of its rows that fit stores in
it. pandas.DataFrame(run.metrics) makes it a data frame.

The safetensors files are read here (8-byte little-endian header length,
JSON header, raw little-endian data), and every file fit wrote is checked
against the SHA-256 it carries (the hash of the whole file with that
value's 64 hex digits as zeros): config.json ("checksum"), the weights
("sha256") and, row by row, metrics.parquet ("rows_sha256").

model.safetensors holds, besides the parameters, the tensors
HookedTransformer has and the network does not train (zero attention and
unembedding biases, power's fixed positions as W_pos), and its metadata
"hooked_transformer_config" the config. state_dict(model) adds the two
buffers of each attention block (mask and IGNORE) as the model holds them
(their shapes differ between TransformerLens versions: 2.x holds the
[n_ctx, n_ctx] causal mask, 3.x an empty one), so that a strict
load_state_dict checks every parameter's name and shape. A checkpoint
holds the parameters alone: state_dict() takes those constant tensors from
model.safetensors.
Networks HookedTransformer cannot express (power --norm post, nanda with an
attention rate below 1, the MLPs) have no config, and say why.

Errors are one line, "load_run.py: PATH: problem", exit status 1 (as a
module: LoadError with that message less the program's name).
"""

import hashlib
import json
import os
import re
import struct
import sys

PROG = "load_run.py"

try:
    import numpy as np
except ImportError:
    sys.exit(f"{PROG}: needs numpy (apt-get install python3-numpy)")

from parquet_read import LoadError, read_parquet

HOOKED_CONFIG_KEY = "hooked_transformer_config"
NOT_HOOKED_KEY = "hooked_transformer_unsupported"
MAX_HEADER = 100 << 20

# config.json's data.meta keys before they were snake_case.
LEGACY_META_KEYS = {"P": "p", "Op": "op", "Seed": "seed", "TrainFraction": "train_fraction", "Equals": "equals",
                    "Version": "version", "History": "history"}

DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
          "U64": "<u8", "U32": "<u4", "U16": "<u2", "U8": "u1", "BOOL": "?"}


def verify_checksum(path, data, within, key):
    """Check the SHA-256 that data (a file's bytes) carries under key in its
    first `within` bytes: the hash of the file with the value as 64 zeros."""
    m = re.search(rb'"' + re.escape(key.encode()) + rb'": ?"([0-9a-f]{64})"', data[:within])
    if m is None:
        raise LoadError(f"{path}: no {key} checksum: not a file of this toolkit's current version, or corrupt")
    zeroed = data[:m.start(1)] + b"0" * 64 + data[m.end(1):]
    got = hashlib.sha256(zeroed).hexdigest()
    if got != m.group(1).decode():
        raise LoadError(f"{path}: checksum mismatch (stored {m.group(1).decode()[:12]}…, the bytes give {got[:12]}…): "
                        "the file is corrupt")


def read_safetensors(path, checksum=True):
    """Read a safetensors file: ({name: numpy array}, {metadata}). With
    checksum, the file must carry its SHA-256 under "sha256" and match it."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise LoadError(f"{path}: {e.strerror}") from None
    if len(data) < 8:
        raise LoadError(f"{path}: {len(data)} bytes: too short for a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if n < 2 or n > MAX_HEADER or 8 + n > len(data):
        raise LoadError(f"{path}: invalid header length {n} ({len(data)} bytes in the file)")
    try:
        header = json.loads(data[8:8 + n])
    except ValueError as e:
        raise LoadError(f"{path}: the header is not JSON: {e}") from None
    if not isinstance(header, dict):
        raise LoadError(f"{path}: the header is not a JSON object")
    if checksum:
        verify_checksum(path, data, 8 + n, "sha256")
    metadata = header.pop("__metadata__", None) or {}
    metadata.pop("sha256", None)
    body = memoryview(data)[8 + n:]
    tensors = {}
    for name, e in header.items():
        try:
            dtype = np.dtype(DTYPES[e["dtype"]]) if e["dtype"] != "BF16" else np.dtype("<u2")
            shape = tuple(int(d) for d in e["shape"])
            begin, end = (int(x) for x in e["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise LoadError(f"{path}: tensor {name!r}: bad header entry {e!r}") from None
        count = int(np.prod(shape, dtype=np.int64))
        if not 0 <= begin <= end <= len(body) or end - begin != count * dtype.itemsize:
            raise LoadError(f"{path}: tensor {name!r}: data_offsets [{begin}, {end}] do not hold {e['dtype']} {list(shape)}")
        a = np.frombuffer(body, dtype=dtype, count=count, offset=begin).reshape(shape)
        if e["dtype"] == "BF16":
            a = (a.astype("<u4") << 16).view("<f4")
        tensors[name] = a.astype(a.dtype.newbyteorder("="))  # a native, writable copy
    return tensors, metadata


def read_config(run):
    """config.json, checked."""
    path = os.path.join(run, "config.json")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise LoadError(f"{run}: not a run folder (no config.json)") from None
    except OSError as e:
        raise LoadError(f"{path}: {e.strerror}") from None
    try:
        config = json.loads(data)
    except ValueError as e:
        raise LoadError(f"{path}: not JSON: {e}") from None
    if not isinstance(config, dict) or config.get("tool") != "fit" or not config.get("model", {}).get("name"):
        raise LoadError(f"{path}: not a fit run's config")
    verify_checksum(path, data, len(data), "checksum")
    config.pop("checksum", None)
    meta = config.get("data", {}).get("meta")
    if isinstance(meta, dict):  # runs from before data.meta was snake_case
        for old, key in LEGACY_META_KEYS.items():
            if old in meta and key not in meta:
                meta[key] = meta.pop(old)
    return config


def rows_sha256(columns):
    """The SHA-256 fit stores in metrics.parquet (pkg/runs, rowsSum): per
    row, step as 8 bytes, then split, kind and metric each as its 8-byte
    length and UTF-8 bytes, then value's float64 bits, all little-endian."""
    h = hashlib.sha256()
    for step, split, kind, metric, value in zip(columns["step"].tolist(), columns["split"], columns["kind"],
                                                columns["metric"], columns["value"].tolist()):
        row = [struct.pack("<q", step)]
        for text in (split, kind, metric):
            b = text.encode()
            row += [struct.pack("<Q", len(b)), b]
        row.append(struct.pack("<d", value))
        h.update(b"".join(row))
    return h.hexdigest()


def read_metrics(path):
    """metrics.parquet as {step, split, kind, metric, value: numpy array},
    checked against its rows' SHA-256."""
    columns, kv = read_parquet(path)
    want = ["step", "split", "kind", "metric", "value"]
    if list(columns) != want:
        raise LoadError(f"{path}: columns {list(columns)}, want {want}: not a fit run's metrics")
    if "rows_sha256" not in kv:
        raise LoadError(f"{path}: no rows_sha256 checksum: not a file of this toolkit's current version, or corrupt")
    if rows_sha256(columns) != kv["rows_sha256"]:
        raise LoadError(f"{path}: the rows do not match their checksum: the file is corrupt")
    return columns


class Run:
    """A run folder opened: see the module's documentation."""

    def __init__(self, run, step=None):
        self.dir = run
        self.config = read_config(run)
        self.metrics = read_metrics(os.path.join(run, "metrics.parquet"))
        final = os.path.join(run, "model.safetensors")
        if step is None:
            self.path = final
            if not os.path.exists(final):
                raise LoadError(f"{run}: no final weights (model.safetensors): the run has not finished; give a checkpoint step")
        else:
            self.path = os.path.join(run, "checkpoints", f"step-{int(step):08d}.safetensors")
            if not os.path.exists(self.path):
                folder = os.path.join(run, "checkpoints")
                names = os.listdir(folder) if os.path.isdir(folder) else []
                have = sorted(int(n[5:13]) for n in names if re.fullmatch(r"step-\d{8}\.safetensors", n))
                raise LoadError(f"{run}: no checkpoint at step {step} (it has {len(have)}: {', '.join(map(str, have))})")
        self.params, self.metadata = read_safetensors(self.path)
        try:
            self.step = int(self.metadata["step"])
        except (KeyError, ValueError):
            raise LoadError(f"{self.path}: no step in the metadata") from None
        # The HookedTransformer config and the constant tensors are the final
        # file's (a checkpoint holds the parameters alone).
        self._constants = {}
        meta = self.metadata
        if step is not None and os.path.exists(final):
            final_params, meta = read_safetensors(final)
            self._constants = {k: v for k, v in final_params.items() if k not in self.params}
        self.hooked_transformer_config = None
        self.not_hooked = meta.get(NOT_HOOKED_KEY) or f"model {self.config['model']['name']} is not a transformer"
        if HOOKED_CONFIG_KEY in meta:
            try:
                self.hooked_transformer_config = json.loads(meta[HOOKED_CONFIG_KEY])
            except ValueError as e:
                raise LoadError(f"{final}: metadata {HOOKED_CONFIG_KEY} is not JSON: {e}") from None
            self.not_hooked = None
        elif step is not None and not os.path.exists(final):
            self.not_hooked = "the HookedTransformer config is in model.safetensors, which the run has not written yet"

    def state_dict(self, model):
        """The tensors of model, a HookedTransformer(HookedTransformerConfig(
        **run.hooked_transformer_config)), as torch tensors for a strict
        model.load_state_dict: the file's, and model's own buffers (each
        block's mask and IGNORE, which hold no weights)."""
        if self.hooked_transformer_config is None:
            raise LoadError(f"{self.path}: no HookedTransformer: {self.not_hooked}")
        try:
            import torch
        except ImportError:
            raise LoadError(f"{self.path}: state_dict() needs torch (run.params has the tensors as numpy arrays)") from None
        sd = {k: torch.from_numpy(v) for k, v in {**self._constants, **self.params}.items()}
        for name, buf in model.named_buffers():
            if name not in sd:
                sd[name] = buf.detach().clone()
        return sd


def load_run(run, step=None):
    """Open the run folder run with its final weights, or those of the
    checkpoint at step."""
    return Run(run, step)


def main(argv):
    args = argv[1:]
    step = None
    if len(args) == 3 and args[1] == "--checkpoint" and args[2].isdigit():
        step = int(args[2])
        args = args[:1]
    if len(args) != 1 or args[0].startswith("-"):
        print(f"usage: {PROG} RUN [--checkpoint STEP]", file=sys.stderr)
        return 2
    try:
        run = load_run(args[0], step)
    except LoadError as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 1
    c = run.config
    m = c["model"]
    meta = c.get("data", {}).get("meta") or {}
    print(f"{run.dir}: {m['name']}, p = {m.get('p')}, {meta.get('op')}, train fraction {meta.get('train_fraction')}, "
          f"seed {c.get('train', {}).get('seed')}")
    print(f"weights: {os.path.relpath(run.path, run.dir)}, step {run.step}, {len(run.params)} tensors, "
          f"{sum(a.size for a in run.params.values())} values")
    steps = run.metrics["step"]
    print(f"metrics.parquet: {len(steps)} rows, steps {steps.min() if len(steps) else '-'} to "
          f"{steps.max() if len(steps) else '-'}, {len(set(zip(run.metrics['split'], run.metrics['kind'], run.metrics['metric'])))} series")
    if run.hooked_transformer_config is None:
        print(f"HookedTransformer: none: {run.not_hooked}")
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    where = os.path.abspath(run.dir)
    at = "" if step is None else f", step={step}"
    print("HookedTransformer (TransformerLens), in Python:")
    print(f"  import sys; sys.path.insert(0, {here!r}); from load_run import load_run; run = load_run({where!r}{at})")
    print("  from transformer_lens import HookedTransformer, HookedTransformerConfig")
    print("  cfg = HookedTransformerConfig(**run.hooked_transformer_config)")
    print("  model = HookedTransformer(cfg); model.load_state_dict(run.state_dict(model))")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
