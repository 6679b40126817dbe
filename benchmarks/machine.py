"""What the benchmark scripts share: the machine line they print (CPU model and core count)
and the best-of-N timer."""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable


def cpu_line() -> str:
    """``"AMD EPYC, 2 cores"``: the CPU model from /proc/cpuinfo (else platform's name)."""
    try:
        with open("/proc/cpuinfo") as info:
            model = next((ln.split(":", 1)[1].strip() for ln in info
                          if ln.startswith("model name")), None)
    except OSError:
        model = None
    return f"{model or platform.processor()}, {os.cpu_count()} cores"


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` calls of ``fn``, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)
