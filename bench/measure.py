"""Timing helpers: warm-up, repeats, medians and percentiles, one-core pinning.

Why medians after a warm-up: the first pass pays for imports, lazy model loads
and cold caches; a median over the following passes is robust to one slow pass
caused by something else on the machine.
"""
from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager
from typing import Callable, Iterator


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def repeat(fn: Callable[[], object], repeats: int, warmup: Callable[[], object] | None = None
           ) -> tuple[list[float], object]:
    """Run `warmup` once (untimed), then `fn` `repeats` times; the durations and the last result."""
    if warmup is not None:
        warmup()
    durations: list[float] = []
    result = None
    for _ in range(max(1, repeats)):
        seconds, result = timed(fn)
        durations.append(seconds)
    return durations, result


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def per_second(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


@contextmanager
def one_core() -> Iterator[int | None]:
    """Pin this process (and torch's intra-op pool) to one CPU for a "per core" figure."""
    if not hasattr(os, "sched_getaffinity"):
        yield None
        return
    before = os.sched_getaffinity(0)
    cpu = min(before)
    os.sched_setaffinity(0, {cpu})
    threads = _torch_threads(1)
    try:
        yield cpu
    finally:
        os.sched_setaffinity(0, before)
        if threads is not None:
            _torch_threads(threads)


def _torch_threads(n: int) -> int | None:
    """Set torch's thread count if torch is already imported; return the previous count."""
    import sys
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    return previous
