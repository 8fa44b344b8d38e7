"""Reading a detection task folder (pkg/tasks/TASK.md) with numpy alone."""

import argparse
import json
import os

import numpy as np

# Split codes of npy/split.npy.
TRUSTED, TRAIN, TEST, ABSENT = 0, 1, 2, 3


class Task:
    """One task folder: task.json, the split codes and the hooks on demand."""

    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, "task.json")) as f:
            self.info = json.load(f)
        self.name = self.info["task"]  # the scores file's name
        self.split = np.load(os.path.join(folder, "npy", "split.npy"))  # uint8 [p²]
        self.untrusted = (self.split == TRAIN) | (self.split == TEST)  # bool [p²]

    def hook(self, name):
        """The activations at a hook, float64 [p², width] (flattened per input)."""
        files = {h["name"]: h["file"] for h in self.info["hooks"]}
        x = np.load(os.path.join(self.folder, files[name]))  # float32 [p², shape…]
        return x.reshape(len(x), -1).astype(np.float64)


def main(score, description, options=None):
    """Runs score(task, ...) -> [p²] or [untrusted] scores on every task
    folder given and writes OUT/NAME.npy for each. options maps a flag to
    its choices (the first is the default); each is passed to score by
    name (--fit → fit)."""
    ap = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tasks", nargs="+", help="task folders (TASKS/tasks/NAME)")
    ap.add_argument("-o", "--out", required=True, help="scores folder to write NAME.npy into")
    names = []
    for flag, choices in (options or {}).items():
        names.append(ap.add_argument(flag, choices=choices, default=choices[0], help="default: %(default)s").dest)
    args = ap.parse_args()
    kwargs = {n: getattr(args, n) for n in names}
    os.makedirs(args.out, exist_ok=True)
    for folder in args.tasks:
        task = Task(folder)
        s = np.asarray(score(task, **kwargs), dtype=np.float64)
        if s.shape not in ((task.info["inputs"],), (task.info["untrusted"],)):
            raise SystemExit(f"{folder}: the detector gave {s.shape} scores, want ({task.info['untrusted']},) or ({task.info['inputs']},)")
        path = os.path.join(args.out, task.name + ".npy")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            np.save(f, s)
        os.replace(tmp, path)  # a whole file or none
