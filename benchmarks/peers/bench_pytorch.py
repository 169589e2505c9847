"""PyTorch 1.13's SummaryWriter under the protocol of bench_scalars / bench_summaries.

  add_scalar caller cost: batches of 1000 calls after warm-up, per call, median and p99.
  media, end to end: a fresh writer, 20 calls, close(), per call; median and min of 5 rounds.
Inputs are the C++ benchmarks' (same shapes, dtypes and value patterns). Run by run.sh,
which puts a tensorboard package built from source on PYTHONPATH."""
import math, os, shutil, sys, tempfile, time

import numpy as np
from torch.utils.tensorboard import SummaryWriter
import torch.utils.tensorboard.summary as _summary

# PyTorch 1.13's make_histogram calls np.greater(counts, 0, dtype=np.int32), which numpy
# >= 1.24 (Debian 12's) rejects; give that one call the result it had with older numpy.
_np_greater = np.greater


class _NumpyShim:
    def __getattr__(self, name):
        return getattr(np, name)

    @staticmethod
    def greater(a, b, dtype=None, **kw):
        r = _np_greater(a, b, **kw)
        return r.astype(dtype) if dtype is not None else r


_summary.np = _NumpyShim()

root = tempfile.mkdtemp(prefix="tblog-bench-pytorch-")


def scalar_cost(batches=300, warm=30):
    w = SummaryWriter(os.path.join(root, "scalars"))
    per_call, step = [], 0
    for b in range(batches + warm):
        t0 = time.perf_counter()
        for i in range(1000):
            w.add_scalar("loss/train", 0.001 * i, step)
            step += 1
        if b >= warm:
            per_call.append((time.perf_counter() - t0) / 1000 * 1e9)
    w.close()
    per_call.sort()
    return per_call[len(per_call) // 2], per_call[len(per_call) * 99 // 100]


def end_to_end(name, call, rounds=5, calls=20):
    ms = []
    for r in range(rounds):
        d = os.path.join(root, f"{name}{r}")
        t0 = time.perf_counter()
        w = SummaryWriter(d)
        for i in range(calls):
            call(w, i)
        w.close()
        ms.append((time.perf_counter() - t0) * 1e3 / calls)
        shutil.rmtree(d, ignore_errors=True)
    ms.sort()
    return ms[len(ms) // 2], ms[0]


def main():
    rng = np.random.default_rng(0)
    normal = rng.standard_normal(1_000_000).astype(np.float32)
    c, y, x = np.meshgrid(np.arange(3), np.arange(512), np.arange(512), indexing="ij")
    img = (0.5 + 0.3 * np.sin(x / (40.0 + 10 * c)) * np.cos(y / 57.0)
           + rng.normal(0, 0.02, (3, 512, 512))).astype(np.float32)
    t, c, y, x = np.meshgrid(np.arange(16), np.arange(3), np.arange(64), np.arange(64), indexing="ij")
    vid = (0.5 + 0.5 * np.sin((x + 2 * t) / (6.0 + c)) * np.cos(y / 9.0)).astype(np.float32)[None]
    snd = (0.5 * np.sin(np.arange(44100, dtype=np.float32) * 0.0627)).astype(np.float32)

    med, p99 = scalar_cost()
    print("| call (PyTorch 1.13) | median | p99 / min |")
    print("|---|---|---|")
    print(f"| add_scalar, caller cost (ns/call) | {med:.0f} | {p99:.0f} |")
    sys.stdout.flush()
    rows = [
        ("add_histogram, 1M float32 N(0,1), default bins (ms/call, 20 + close)",
         lambda w, i: w.add_histogram("h", normal, i)),
        ("add_image, 512x512x3 float32 CHW photo-like (ms/call, 20 + close)",
         lambda w, i: w.add_image("img", img, i)),
        ("add_audio, 44100 float32 samples (ms/call, 20 + close)",
         lambda w, i: w.add_audio("snd", snd, i)),
    ]
    try:
        import moviepy  # noqa: F401  (PyTorch's add_video needs it)
        rows.append(("add_video, (1, 16, 3, 64, 64) float32 (ms/call, 20 + close)",
                     lambda w, i: w.add_video("vid", vid, i)))
    except ImportError:
        print("| add_video | n/a: PyTorch's add_video needs moviepy (not in Debian) | |")
    for name, call in rows:
        med, mn = end_to_end(name.split(",")[0], call)
        print(f"| {name} | {med:.2f} | {mn:.2f} |")
        sys.stdout.flush()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
