"""The statistics the verdicts use, each written once: the distance in ULPs, bit equality,
Cohen's Kappa, McNemar's test on paired correctness, and TOST (two one-sided t-tests).

Pure functions of arrays (NumPy, SciPy); :mod:`parity.checks.grading` and
:mod:`parity.orchestration.seeds` apply them to run records.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.stats

from python_impl.caret.confusion import kappa

__all__ = ["ulp_distance", "bits_equal", "cohen_kappa", "mcnemar", "tost"]


def ulp_distance(a, b) -> np.ndarray:
    """Distance in units in the last place between two float arrays, elementwise.

    Counted in float32 when both arrays hold only float32 values (the model's outputs and
    Keras' metrics, widened to float64 by the reader), else in float64. NaN pairs count 0
    when both are NaN, else the largest integer.

    Examples
    --------
    >>> int(ulp_distance(np.float32(1.0), np.nextafter(np.float32(1.0), np.float32(2)))[()])
    1
    >>> int(ulp_distance(0.1, 0.1)[()])
    0
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        single = bool(np.array_equal(a.astype(np.float32).astype(np.float64), a, equal_nan=True)
                      and np.array_equal(b.astype(np.float32).astype(np.float64), b, equal_nan=True))
    ftype, itype = (np.float32, np.int32) if single else (np.float64, np.int64)

    def ordered(x):
        bits = np.ascontiguousarray(x.astype(ftype)).view(itype).astype(np.int64).reshape(x.shape)
        # sign-magnitude to a monotone integer line (-0.0 and +0.0 meet at 0)
        return np.where(bits < 0, np.int64(np.iinfo(itype).min) - bits, bits)

    with np.errstate(over="ignore"):
        d = np.abs(ordered(a) - ordered(b)).astype(np.float64)
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    return np.where(nan_a & nan_b, 0.0, np.where(nan_a | nan_b, float(np.iinfo(np.int64).max), d))


#: elements compared per step by :func:`bits_equal` (2 MB of each array): a normalized image
#: set (60,000 x 784 doubles, 376 MB) is compared without a temporary of its size
_BITS_CHUNK = 1 << 18


def bits_equal(a, b) -> bool:
    """The same doubles, bit for bit (NaN payloads too, so R's NA differs from NaN).

    One pass over both arrays, in blocks of rows, stopping at the first block that differs.
    Neither array is copied: R writes its matrices in column-major order, Python in row-major,
    and a block of rows is small enough for either order to be read from the cache.

    Examples
    --------
    >>> bits_equal([0.0, float("nan")], [0.0, float("nan")]), bits_equal(0.0, -0.0)
    (True, False)
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    x, y = np.atleast_1d(a).view(np.uint64), np.atleast_1d(b).view(np.uint64)
    rows = max(1, _BITS_CHUNK // max(1, x[0].size)) if x.size else 1
    return all(np.array_equal(x[i:i + rows], y[i:i + rows]) for i in range(0, x.shape[0], rows))


def cohen_kappa(predicted, reference, k: int) -> float:
    """Cohen's Kappa of two label vectors over classes ``0..k-1``: caret's
    (:func:`python_impl.caret.confusion.kappa`, ``e1071::classAgreement``) on their table.

    Examples
    --------
    >>> cohen_kappa([0, 1, 1, 0], [0, 1, 0, 0], 2)
    0.5
    """
    p = np.asarray(predicted, dtype=np.int64)
    r = np.asarray(reference, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):  # one class only: NaN, as in R
        return float(kappa(np.float64((p == r).sum()), np.float64(p.size),
                           np.bincount(p, minlength=k).astype(np.float64),
                           np.bincount(r, minlength=k).astype(np.float64)))


def mcnemar(b: int, c: int, *, exact_below: int = 25) -> tuple[float, float | None, str]:
    """McNemar's test on the discordant counts of a paired 2x2 table.

    ``b`` rows where only side A is right, ``c`` where only side B is. Below ``exact_below``
    discordant pairs the exact two-sided binomial test (``b ~ Binomial(b + c, 1/2)``), else the
    chi-square test with continuity correction, ``(|b - c| - 1)^2 / (b + c)`` on 1 df (R's
    ``mcnemar.test`` default).

    Returns
    -------
    (p_value, statistic, method)
        ``statistic`` is None for the exact test; with no discordant pair the p-value is 1.

    Examples
    --------
    >>> mcnemar(0, 0)[0], mcnemar(3, 0)[2]
    (1.0, 'exact binomial')
    >>> round(mcnemar(40, 20)[0], 4)  # R: mcnemar.test(matrix(c(100, 20, 40, 100), 2))
    0.0142
    """
    if b < 0 or c < 0:
        raise ValueError(f"discordant counts b={b}, c={c}: expected counts >= 0")
    if b + c == 0:
        return 1.0, None, "exact binomial"
    if b + c < exact_below:
        return float(scipy.stats.binomtest(b, b + c, 0.5).pvalue), None, "exact binomial"
    statistic = (abs(b - c) - 1) ** 2 / (b + c)
    return float(scipy.stats.chi2.sf(statistic, 1)), float(statistic), \
        "chi-square with continuity correction"


def tost(differences, margin: float, *, alpha: float = 0.05) -> dict[str, Any]:
    """Two one-sided t-tests (TOST) that the mean of paired ``differences`` lies within
    ``(-margin, margin)``.

    H0: mean <= -margin or mean >= margin; equivalence when both one-sided p-values are below
    ``alpha``, i.e. the ``1 - 2 alpha`` t interval of the mean lies inside the margin. With zero
    spread (identical sides) the p-value is 0 if ``|mean| < margin``, else 1.

    Examples
    --------
    >>> r = tost([0.001, -0.002, 0.0, 0.001], 0.01)
    >>> r["equivalent"], round(r["p"], 6) < 0.05
    (True, True)
    >>> tost([0.03, 0.05, 0.04], 0.01)["equivalent"]
    False
    """
    d = np.asarray(differences, dtype=np.float64)
    d = d[np.isfinite(d)]
    if d.size < 2:
        return {"n": int(d.size), "mean": float(d.mean()) if d.size else math.nan, "sd": math.nan,
                "p": math.nan, "ci": [math.nan, math.nan], "equivalent": False,
                "reason": "TOST needs at least 2 seeds"}
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    se = sd / math.sqrt(d.size)
    df = d.size - 1
    if se == 0:
        p = 0.0 if abs(mean) < margin else 1.0
        ci = [mean, mean]
    else:
        p_lower = float(scipy.stats.t.sf((mean + margin) / se, df))  # H0: mean <= -margin
        p_upper = float(scipy.stats.t.cdf((mean - margin) / se, df))  # H0: mean >= margin
        p = max(p_lower, p_upper)
        half = float(scipy.stats.t.ppf(1 - alpha, df)) * se
        ci = [mean - half, mean + half]
    return {"n": int(d.size), "mean": mean, "sd": sd, "p": p, "ci": ci, "margin": margin,
            "equivalent": bool(p < alpha), "reason": ""}
