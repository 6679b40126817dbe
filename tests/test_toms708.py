"""The TOMS 708 port against R's own ``pbeta``, live in embedded R: equal to the bit.

The arguments cover every branch of ``bratio`` that finite positive shapes reach (the binomial
tails caret's P-value needs, shapes from 1e-20 to 1e7, far tails, tiny shapes, b = 1/2 for
``grat_r``'s special case), both tails, on the probability and the log scale. Equality is exact:
the port performs R's IEEE operations in R's order with the same C library functions, so any
difference is a porting defect. ``PARITY_PBETA_N`` (per family) searches further; 20,000 with
several ``PARITY_PBETA_SEED`` values is how the port was first checked (1.6 million calls).
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

from python_impl.caret import toms708

pytestmark = pytest.mark.r

N = int(os.environ.get("PARITY_PBETA_N", "1500"))
SEED = int(os.environ.get("PARITY_PBETA_SEED", "20261125"))


def _families(rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    n = np.floor(10 ** rng.uniform(0, 9.3, N))
    x = np.floor(rng.uniform(0, 1, N) * n) + 1
    half = np.full(N, 0.5)
    return {
        # binom.test(x, n, p, "greater") = pbeta(p, x, n - x + 1)
        "binomial": (rng.uniform(0, 1, N), x, n - x + 1),
        "wide": (rng.uniform(0, 1, N), 10 ** rng.uniform(-20, 7, N), 10 ** rng.uniform(-20, 7, N)),
        "tails": (10 ** rng.uniform(-12, 0, N), 10 ** rng.uniform(-1, 3, N), 10 ** rng.uniform(-1, 3, N)),
        "small": (rng.uniform(0, 1, N), rng.uniform(0, 2, N), rng.uniform(0, 50, N)),
        "b_half": (rng.uniform(0, 1, N), 10 ** rng.uniform(1, 5, N), half),
        "tiny_a": (rng.uniform(0, 1, N), 10 ** rng.uniform(-18, -15, N), 10 ** rng.uniform(-3, 2, N)),
    }


@pytest.mark.parametrize("log_p", [False, True])
@pytest.mark.parametrize("lower_tail", [True, False])
def test_pbeta_bit_identical_to_r(r_caret, lower_tail, log_p):
    rng = np.random.default_rng(SEED)
    for family, (q, a, b) in _families(rng).items():
        r = r_caret.pbeta(q, a, b, lower_tail=lower_tail, log_p=log_p)
        py = np.array([toms708.pbeta(q[i], a[i], b[i], lower_tail=lower_tail, log_p=log_p)
                       for i in range(N)])
        same = (r == py) | (np.isnan(r) & np.isnan(py))
        bad = np.flatnonzero(~same)
        assert bad.size == 0, (
            f"{family}: {bad.size}/{N} differ from R, e.g. pbeta({q[bad[0]]!r}, {a[bad[0]]!r}, "
            f"{b[bad[0]]!r}): R {r[bad[0]]!r}, port {py[bad[0]]!r}")


def test_pbeta_edges_as_r(r_caret):
    cases = [(0.0, 2.0, 3.0), (1.0, 2.0, 3.0), (-1.0, 2.0, 3.0), (2.0, 2.0, 3.0), (0.3, 0.0, 0.0),
             (0.3, 0.0, 2.0), (0.3, 2.0, 0.0), (math.nan, 1.0, 1.0), (0.5, 1e-300, 1e-300),
             (1e-320, 1e-5, 0.5), (0.999999, 1e6, 1e6), (0.5, 1e7, 1e7)]
    q, a, b = (np.array(v) for v in zip(*cases, strict=True))
    for lower_tail in (True, False):
        for log_p in (False, True):
            r = r_caret.pbeta(q, a, b, lower_tail=lower_tail, log_p=log_p)
            py = np.array([toms708.pbeta(*c, lower_tail=lower_tail, log_p=log_p) for c in cases])
            np.testing.assert_array_equal(py, r)


def test_pbeta_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"a=-1\.0"):
        toms708.pbeta(0.5, -1.0, 2.0)
    with pytest.raises(ValueError, match="finite"):
        toms708.pbeta(0.5, math.inf, 2.0)


def test_bratio_error_codes():
    assert toms708.bratio(1.0, 1.0, 0.3, 0.6)[2] == 5  # y != 1 - x
    assert toms708.bratio(0.0, 1.0, 0.0, 1.0)[2] == 6
    assert toms708.bratio(1.0, 1.0, math.nan, 0.5)[2] == 9
