"""Shared fixtures. R is real here: tests marked ``r`` use rpy2's embedded R or ``Rscript``.

When R or one of its packages is missing, those tests skip with the reason, except in CI
(``CI`` set), where setup.sh installs R and a missing piece must fail loudly, not pass by
skipping.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

IN_CI = bool(os.environ.get("CI"))

#: The seed's confusion table (rows = Prediction 0..9, columns = Reference 0..9), fixed by its
#: printed row sums and 1,000 test images per class; see ../shared/ENVIRONMENT.md.
SEED_TABLE = np.array([
    [845, 2, 28, 25, 3, 0, 134, 0, 1, 0],
    [2, 983, 3, 10, 0, 0, 0, 0, 0, 0],
    [14, 2, 808, 18, 78, 0, 76, 0, 3, 0],
    [20, 6, 6, 886, 35, 0, 22, 0, 4, 0],
    [4, 5, 90, 29, 818, 0, 53, 0, 2, 0],
    [2, 0, 0, 1, 0, 970, 0, 13, 3, 8],
    [105, 1, 64, 25, 64, 0, 709, 0, 9, 1],
    [0, 0, 0, 0, 0, 21, 0, 957, 2, 37],
    [8, 1, 1, 6, 2, 0, 6, 1, 976, 0],
    [0, 0, 0, 0, 0, 9, 0, 29, 0, 954],
])


def unavailable(reason: str):
    """Skip outside CI; fail in CI, where a missing dependency is a setup defect."""
    if IN_CI:
        pytest.fail(f"required in CI but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def r_caret():
    """The embedded R session with caret loaded (parity.rbridge)."""
    from parity import rbridge

    try:
        rbridge.r_env()
    except rbridge.RUnavailable as exc:
        unavailable(str(exc))
    return rbridge


@pytest.fixture(scope="session")
def rscript():
    import shutil

    path = shutil.which("Rscript")
    if path is None:
        unavailable("Rscript not found; run ./setup.sh")
    return path


@pytest.fixture(scope="session")
def fashion_mnist():
    from python_impl.data import load_fashion_mnist

    try:
        return load_fashion_mnist()
    except RuntimeError as exc:
        unavailable(str(exc))
