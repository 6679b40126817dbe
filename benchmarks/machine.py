"""The machine line the benchmark scripts print: CPU model and core count."""

from __future__ import annotations

import os
import platform


def cpu_line() -> str:
    """``"AMD EPYC, 2 cores"``: the CPU model from /proc/cpuinfo (else platform's name)."""
    try:
        with open("/proc/cpuinfo") as info:
            model = next((ln.split(":", 1)[1].strip() for ln in info
                          if ln.startswith("model name")), None)
    except OSError:
        model = None
    return f"{model or platform.processor()}, {os.cpu_count()} cores"
