"""Run the R reference (r_reference/fashion_mnist.R) as its own Rscript process.

Training cannot run in rpy2's embedded R (TensorFlow crashes there; see ENVIRONMENT.md), so the
R side is a subprocess with reticulate pointed at the project's Python. Its Keras log
("Epoch n/N", then one "steps/steps - ... loss ..." line per finished epoch) drives the
progress display.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from python_impl import PROJECT_ROOT

__all__ = ["R_SCRIPT", "RRunError", "r_python", "run_r_reference"]

R_SCRIPT = PROJECT_ROOT / "r_reference" / "fashion_mnist.R"
_EPOCH_DONE = re.compile(r"^\s*\d+/\d+ - .*loss")


class RRunError(RuntimeError):
    """The R reference exited non-zero; the message carries R's own error output."""


def r_python() -> str:
    """The Python reticulate uses: $PARITY_R_PYTHON, else the project venv's, else this one.

    Debian's reticulate 1.28 needs Python <= 3.11, so a tox env on 3.12/3.13 still runs the R
    side on the project's primary Python (.venv).
    """
    if os.environ.get("PARITY_R_PYTHON"):
        return os.environ["PARITY_R_PYTHON"]
    venv = PROJECT_ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def run_r_reference(out: Path, *, epochs: int, seed: int, train_size: int | None,
                    test_size: int | None, steps_per_execution: int = 1,
                    save_normalized: bool = True,
                    progress: Callable[[int, int, float], None] | None = None,
                    log_path: Path | None = None) -> Path:
    """Run the R script into ``out``; call ``progress(epoch, epochs, elapsed_s)`` per epoch."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise FileNotFoundError("Rscript not found; install R with ./setup.sh")
    cmd = [rscript, str(R_SCRIPT), "--out", str(out), "--epochs", str(epochs), "--seed", str(seed),
           "--steps-per-execution", str(steps_per_execution)]
    if train_size is not None:
        cmd += ["--train-size", str(train_size)]
    if test_size is not None:
        cmd += ["--test-size", str(test_size)]
    if save_normalized:
        cmd.append("--save-normalized")
    env = dict(os.environ, TZ=os.environ.get("TZ", "UTC"), PYTHONUNBUFFERED="1",
               RETICULATE_PYTHON=r_python())
    log_lines: list[str] = []
    t0 = time.monotonic()
    done = 0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          env=env, bufsize=1) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            log_lines.append(line)
            if _EPOCH_DONE.match(line):
                done += 1
                if progress:
                    progress(done, epochs, time.monotonic() - t0)
        rc = proc.wait()
    if log_path is not None:
        log_path.write_text("".join(log_lines))
    if rc != 0:
        tail = "".join(line for line in log_lines[-40:] if not line.startswith(("I0000", "W0000")))
        raise RRunError(f"Rscript {R_SCRIPT.name} exited with status {rc}:\n{tail}")
    return out
