"""Shared fixtures. R is real here: tests marked ``r`` use rpy2's embedded R or ``Rscript``.

When R or one of its packages is missing, those tests skip with the reason, except in CI
(``CI`` set), where setup.sh installs R and a missing piece must fail loudly, not pass by
skipping.
"""

from __future__ import annotations

import os

import pytest

from parity.seed import SEED_TABLE  # noqa: F401  (re-exported for the tests)

IN_CI = bool(os.environ.get("CI"))


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
