"""Shared fixtures. R is real here: tests marked ``r`` use rpy2's embedded R or ``Rscript``.

When R or one of its packages is missing, those tests skip with the reason, except in CI
(``CI`` set), where setup.sh installs R and a missing piece must fail loudly, not pass by
skipping.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from parity.config import load_spec
from python_impl.keras_env import prepare as prepare_keras_env

IN_CI = bool(os.environ.get("CI"))
# Keras fixes its cache directory when it is first imported: whichever test imports it first in
# this process (a capture test runs scripts in-process), it must find the project's datasets,
# as the sides do (python_impl.keras_env.prepare, called by the port before it imports Keras)
prepare_keras_env()
#: the built-in spec: the tutorial's sides, profiles and published figures
TUTORIAL = load_spec()
#: the tutorial's published confusion table (rows = Prediction, columns = Reference)
TUTORIAL_TABLE = np.asarray(TUTORIAL.published["table"])


def side_command(side: str, out, checkpoint=None, **settings) -> list[str]:
    """The command the audit runs for one side of the tutorial, with these settings."""
    from parity.config import AuditConfig

    return AuditConfig(TUTORIAL, "test", settings, parallel=False).side_command(side, out, checkpoint)


def unavailable(reason: str):
    """Skip outside CI; fail in CI, where a missing dependency is a setup defect."""
    if IN_CI:
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def r_caret():
    """The embedded R session with caret loaded (parity.rules.rbridge)."""
    from parity.rules import rbridge

    try:
        rbridge.r_env()
    except rbridge.RUnavailable as exc:
        unavailable(str(exc))
    return rbridge


def _r_side_python() -> tuple[str, str, tuple[int, int]]:
    """The R side's Python (what reticulate loads), its NumPy version and its version."""
    import subprocess

    from parity.orchestration.sides import r_python

    exe = r_python()
    out = subprocess.run([exe, "-c", "import sys, numpy; print(numpy.__version__, *sys.version_info[:2])"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return exe, "", (0, 0)
    np_version, major, minor = out.stdout.split()
    return exe, np_version, (int(major), int(minor))


def pytest_report_header(config):
    import sys

    exe, np_version, version = _r_side_python()
    note = "" if exe == sys.executable else " (not this env's Python: reticulate 1.28 needs <= 3.11)"
    return [f"R side's Python (reticulate): {exe}, Python {version[0]}.{version[1]}, "
            f"NumPy {np_version or '?'}{note}"]


@pytest.fixture(scope="session")
def rscript():
    """Rscript, for tests that train through R keras (reticulate); skipped where that path
    cannot work by design (the numpy2 tox env), whatever CI says."""
    import shutil

    path = shutil.which("Rscript")
    if path is None:
        unavailable("Rscript not found; run ./setup.sh")
    exe, np_version, _ = _r_side_python()
    if np_version.split(".")[0] not in ("", "0", "1"):
        pytest.skip(f"R keras path: Debian's reticulate 1.28 cannot hand arrays to NumPy 2 "
                    f"(the R side's Python {exe} has NumPy {np_version})")
    return path


@pytest.fixture(scope="session")
def fashion_mnist():
    from python_impl.data import load_fashion_mnist

    try:
        return load_fashion_mnist()
    except RuntimeError as exc:
        unavailable(str(exc))
