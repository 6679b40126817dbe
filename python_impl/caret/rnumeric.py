"""R's numerical primitives that caret's performance measures rest on, to R's last bit.

R (4.2, x86-64) accumulates ``sum``, ``mean``, ``colMeans`` and ``cor`` in ``long double``, the
80-bit x87 type that NumPy's ``np.longdouble`` also is on x86-64 Linux; the x87 unit also
decides which NaN survives when NA meets NaN, so doing the same operations in
``np.longdouble`` reproduces R's values and R's NA-versus-NaN outcome alike.

Also here: the error and warning classes that carry R's own messages.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from parity import rnum
from python_impl.caret.confusion import NA

__all__ = [
    "RError",
    "RWarning",
    "r_warn",
    "r_sum",
    "r_mean",
    "r_mean_pairs",
    "r_median",
    "r_col_mean",
    "r_cor_pairwise",
    "r_qnorm",
    "R_NULL",
]

r_sum = rnum.sum

#: R's ``NULL`` passed on purpose (caret passes ``lev[1]`` of a NULL ``lev``), as opposed to an
#: argument left out (which takes R's default).
R_NULL = type("R_NULL", (), {"__repr__": lambda self: "NULL"})()


class RError(ValueError):
    """R (caret, pROC, ...) stops here; ``str(exc)`` is R's message, word for word."""


class RWarning(UserWarning):
    """R warns here; the message is R's text."""


def r_warn(message: str, stacklevel: int = 3) -> None:
    warnings.warn(message, RWarning, stacklevel=stacklevel)


def _ld(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).ravel().astype(np.longdouble)


def r_mean(x) -> np.float64:
    """R's ``mean`` of doubles: long double sum, divided, then one correction pass
    (:func:`parity.rnum.mean`)."""
    return rnum.mean(np.asarray(x, dtype=np.float64).ravel())


def r_mean_pairs(a, b) -> np.ndarray:
    """``mean(c(a[i], b[i]))`` for every i at once (as ``apply(cbind(a, b), 1, mean)``)."""
    la, lb = _ld(a), _ld(b)
    two = np.longdouble(2.0)
    with np.errstate(all="ignore"):
        s = (la + lb) / two
        finite = np.isfinite(s.astype(np.float64))
        t = (la - s) + (lb - s)
        s = np.where(finite, s + t / two, s)
    return s.astype(np.float64)


def r_median(x) -> np.float64:
    """R's ``median`` of doubles without NA (the middle value, or ``mean`` of the two)."""
    v = np.asarray(x, dtype=np.float64)
    n = v.size
    if n == 0:
        return NA
    half = (n + 1) // 2
    if n % 2 == 1:
        return np.float64(np.partition(v, half - 1)[half - 1])
    part = np.partition(v, [half - 1, half])
    return r_mean(part[half - 1 : half + 1])


def r_col_mean(x, *, na_rm: bool) -> np.float64:
    """One column of R's ``colMeans`` (:func:`parity.rnum.col_means`)."""
    return rnum.col_means(np.asarray(x, dtype=np.float64).reshape(-1, 1), na_rm=na_rm)[0]


def r_cor_pairwise(x, y) -> tuple[np.float64, bool]:
    """``cor(x, y, use = "pairwise.complete.obs")`` (:func:`parity.rnum.cor`) and whether R
    warns "the standard deviation is zero" (caret's callers re-issue R's warnings as their own)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = rnum.cor(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64),
                         use="pairwise.complete.obs")
    sd_zero = any("standard deviation is zero" in str(w.message) for w in caught)
    return np.float64(value), sd_zero


_A = (
    2509.0809287301226727,
    33430.575583588128105,
    67265.770927008700853,
    45921.953931549871457,
    13731.693765509461125,
    1971.5909503065514427,
    133.14166789178437745,
    3.387132872796366608,
)
_B = (
    5226.495278852854561,
    28729.085735721942674,
    39307.89580009271061,
    21213.794301586595867,
    5394.1960214247511077,
    687.1870074920579083,
    42.313330701600911252,
    1.0,
)
_C = (
    7.7454501427834140764e-4,
    0.0227238449892691845833,
    0.24178072517745061177,
    1.27045825245236838258,
    3.64784832476320460504,
    5.7694972214606914055,
    4.6303378461565452959,
    1.42343711074968357734,
)
_D = (
    1.05075007164441684324e-9,
    5.475938084995344946e-4,
    0.0151986665636164571966,
    0.14810397642748007459,
    0.68976733498510000455,
    1.6763848301838038494,
    2.05319162663775882187,
    1.0,
)
_E = (
    2.01033439929228813265e-7,
    2.71155556874348757815e-5,
    0.0012426609473880784386,
    0.026532189526576123093,
    0.29656057182850489123,
    1.7848265399172913358,
    5.4637849111641143699,
    6.6579046435011037772,
)
_F = (
    2.04426310338993978564e-15,
    1.4215117583164458887e-7,
    1.8463183175100546818e-5,
    7.868691311456132591e-4,
    0.0148753612908506148525,
    0.13692988092273580531,
    0.59983220655588793769,
    1.0,
)


def _horner(coefs, r: float) -> float:
    value = r * coefs[0] + coefs[1]
    for c in coefs[2:]:
        value = value * r + c
    return value


def r_qnorm(p: float, mean: float = 0.0, sd: float = 1.0) -> float:
    """R's ``qnorm(p, mean, sd)`` (lower tail, not log), the same double as R."""
    p, mean, sd = float(p), float(mean), float(sd)
    if math.isnan(p) or math.isnan(mean) or math.isnan(sd):
        return p + mean + sd
    if p < 0 or p > 1:
        r_warn("NaNs produced")
        return math.nan
    if p == 0:
        return -math.inf
    if p == 1:
        return math.inf
    if sd < 0:
        r_warn("NaNs produced")
        return math.nan
    if sd == 0:
        return mean
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        val = q * _horner(_A, r) / _horner(_B, r)
    else:
        r = math.sqrt(-math.log((0.5 - p + 0.5) if q > 0 else p))
        if r <= 5.0:
            r += -1.6
            val = _horner(_C, r) / _horner(_D, r)
        else:
            r += -5.0
            val = _horner(_E, r) / _horner(_F, r)
        if q < 0.0:
            val = -val
    return mean + sd * val
