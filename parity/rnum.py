"""R-exact numerics for ports: R's ``scale``, ``colMeans``, ``mean``, ``var``, ``sd``, ``cor``,
``quantile`` (type 7) and ``round``, to the last bit of R 4.2 on x86-64.

Why a port needs this. R accumulates sums in ``long double`` (``LDOUBLE``, the x87 80-bit
extended type on x86-64), in index order, and its ``mean``, ``var`` and ``cor`` take a second,
refining pass over the data. NumPy sums doubles pairwise (``np.sum``, ``np.mean``), ``np.std``
and ``np.var`` default to ``ddof=0``, and ``np.quantile`` interpolates with a different formula.
A faithful port therefore differs from R in the last bits (or, with ``ddof=0``, by a factor of
``sqrt(n/(n-1))``), and a bit-for-bit audit calls it a difference. Each function below follows
the order of operations of R's own source (``scale.default``, ``do_colsum`` in ``array.c``,
``real_mean``/``rsum`` in ``summary.c``, ``stats/src/cov.c``, ``quantile.default``,
``fround`` in ``nmath/fround.c``) and uses ``np.longdouble``, which on x86-64 Linux is that
same 80-bit type, wherever R uses ``LDOUBLE``. On platforms where ``np.longdouble`` is a plain
double (Windows, macOS on arm64), R's own ``long double`` differs too and the results here are
not guaranteed to be R's.

R's ``NA`` and ``NaN``. Both are NaN doubles; R's ``NA_real_`` is the NaN whose low 32 bits are
1954 (:data:`NA` here, ``python_impl.caret.NA`` in the caret port). Missing values propagate as
they do in R (the same IEEE operations in the same order), and where R's C code writes
``NA_REAL`` (e.g. ``var`` of a column holding a NaN) the result is :data:`NA`, not NaN.
Inputs: array-likes of numbers; ``None`` in a list stands for ``NA``.

Only NumPy and the standard library are imported.

Examples
--------
>>> import numpy as np
>>> from parity import rnum
>>> x = np.array([1e8 + 0.1, 1e8 + 0.2, 1e8 + 0.4])
>>> rnum.sd(x) == np.std(x, ddof=1)  # R's two-pass long double vs NumPy's double arithmetic
False
>>> float(rnum.quantile([1.0, 2.0, 4.0], 0.3)[0])
1.6
"""

from __future__ import annotations

import math
import struct
import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

__all__ = ["LONG_DOUBLE_IS_X87", "NA", "na_mask", "R_INT_MAX", "USES", "RScaled", "scale", "col_means",
           "mean", "sum", "var", "sd", "cor", "quantile", "round"]

#: R's ``NA_real_``: a NaN whose low 32 bits are 1954.
NA = np.float64(struct.unpack("<d", struct.pack("<Q", 0x7FF00000000007A2))[0])
#: R's integers are 32-bit: the largest (``.Machine$integer.max``; INT_MIN is R's NA), the one
#: copy on the Python side
R_INT_MAX = 2**31 - 1


def na_mask(values) -> np.ndarray:
    """Where R's ``NA`` (not ``NaN``, not a number) sits in an array of doubles: the one NA test
    (a NaN whose low 32 bits are 1954; the caret port, the comparisons and the grades call it).

    Examples
    --------
    >>> na_mask([NA, float("nan"), 0.5]).tolist()
    [True, False, False]
    """
    a = np.ascontiguousarray(np.asarray(values, dtype=np.float64))
    return np.isnan(a) & ((a.view(np.uint64) & np.uint64(0xFFFFFFFF)) == np.uint64(1954))


#: True where ``np.longdouble`` is the x87 80-bit type (64-bit significand) that R's ``LDOUBLE``
#: is on x86-64; elsewhere the results are not guaranteed to be R's.
LONG_DOUBLE_IS_X87 = np.finfo(np.longdouble).nmant == 63
#: R's ``use =`` values of ``var``/``cov``/``cor``, in the order of R's ``na.method`` codes.
USES = ("all.obs", "complete.obs", "pairwise.complete.obs", "everything", "na.or.complete")

_LD = np.longdouble
_DBL_MAX = np.finfo(np.float64).max
_DBL_EPS = np.finfo(np.float64).eps
_DBL_DIG = 15
_MAX10E = 308  # DBL_MAX_10_EXP
_M_LOG10_2 = 0.301029995663981195213738894724493027  # R's M_LOG10_2


# --------------------------------------------------------------------------- validation


def _as_doubles(x, name: str, ndims: Sequence[int]) -> np.ndarray:
    """``x`` as a float64 array of one of the allowed numbers of dimensions (R's
    ``as.double``: logicals and integers become doubles; ``None`` becomes ``NA``)."""
    arr = np.asarray(x)
    if arr.dtype == object:
        flat = [NA if v is None else v for v in arr.ravel()]
        try:
            arr = np.array(flat, dtype=np.float64).reshape(arr.shape)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must hold numbers (or None for NA); got {x!r:.200}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric (bool, int or float); got dtype {arr.dtype} "
                        f"({x!r:.200})")
    if arr.ndim not in ndims:
        allowed = " or ".join(f"{d}-D" for d in ndims)
        raise ValueError(f"{name} must be {allowed}; got an array of shape {arr.shape}")
    return arr.astype(np.float64, copy=False)


def _check_use(use: str) -> int:
    """R's ``na.method`` code (1..5) of a ``use`` value; exact names only (R would also take
    a unique abbreviation, which hides typos)."""
    if use not in USES:
        raise ValueError(f"use must be one of {', '.join(map(repr, USES))}; got {use!r}")
    return USES.index(use) + 1


# --------------------------------------------------------------------------- R's sums


def _ldsum(values: np.ndarray) -> np.ndarray:
    """R's ``LDOUBLE s = 0; for (k...) s += x[k];`` along axis 0: in index order, in long
    double. ``np.add.accumulate`` adds strictly in order (``np.sum`` is pairwise); the final
    ``+ 0`` turns an all-negative-zero sum into R's ``+0``."""
    ld = np.asarray(values, dtype=_LD)
    if ld.shape[0] == 0:
        return np.zeros(ld.shape[1:], dtype=_LD)
    return np.add.accumulate(ld, axis=0)[-1] + _LD(0)


_QUIET_BIT = np.uint64(1 << 51)
_PAYLOAD = np.uint64((1 << 51) - 1)


def _x87_nan_of_sum(col: np.ndarray) -> np.float64:
    """The NaN that R's ``s += x[k]`` (an x87 add of a double from memory) leaves when a sum
    meets more than one NaN. x87 keeps the NaN already in ``s`` when the new operand is a
    signalling NaN (R's ``NA_real_`` as stored, 0x7FF00000000007A2), and the one with the larger
    payload when both are quiet; NumPy converts to long double first, which quiets every NaN,
    so its sum always takes the larger payload (NA). Measured: R 4.2's ``colMeans(cbind(c(NaN,
    NA)))`` is NaN, ``colMeans(cbind(c(NaN, NA + 0)))`` is NA."""
    with np.errstate(all="ignore"):
        prefix = np.add.accumulate(col.astype(_LD))
    first = int(np.flatnonzero(np.isnan(prefix))[0])
    state = np.float64(prefix[first]).view(np.uint64)  # x87 -> double keeps the payload
    bits = col.view(np.uint64)
    for k in np.flatnonzero(np.isnan(col[first + 1:])) + first + 1:
        if bits[k] & _QUIET_BIT and (bits[k] & _PAYLOAD) > (state & _PAYLOAD):
            state = bits[k]
    return np.uint64(state).view(np.float64)


def _rsum(values: np.ndarray) -> np.float64:
    """R's ``sum()`` of doubles (``rsum``): :func:`_ldsum`, beyond ``DBL_MAX`` infinite."""
    s = _ldsum(values)
    if s > _DBL_MAX:
        return np.float64(np.inf)
    if s < -_DBL_MAX:
        return np.float64(-np.inf)
    return np.float64(s)


def sum(x) -> np.float64:  # noqa: A001 - R's name, as the module is used as rnum.sum
    """R's ``sum(x)`` of a double vector (``rsum``): added in index order in long double,
    beyond ``DBL_MAX`` infinite. ``np.sum`` adds pairwise in double, so it can differ in the
    last bits.

    Examples
    --------
    >>> float(sum([0.1, 0.2, 0.3])), float(np.sum([0.1, 0.2, 0.3]))
    (0.6, 0.6000000000000001)
    """
    return _rsum(_as_doubles(x, "x", (0, 1, 2)).ravel(order="F"))


def _real_mean(x: np.ndarray) -> np.float64:
    """R's ``real_mean`` (summary.c): long double sum / n, then ``s += sum(x - s) / n``;
    an overflowing sum is redone as ``sum(x / n)`` with a refinement ``sum((x - s) / n)``."""
    n = x.size
    with np.errstate(all="ignore"):
        s = _ldsum(x)
        finite_s = bool(np.isfinite(np.float64(s)))
        if finite_s:
            s = s / _LD(n)
        else:
            s = _ldsum(x / np.float64(n))  # dx[k]/n: a double division in R
        if finite_s and np.isfinite(np.float64(s)):
            s = s + _ldsum(x.astype(_LD) - s) / _LD(n)
        elif np.isfinite(np.float64(s)):
            s = s + _ldsum((x.astype(_LD) - s) / _LD(n))
    return np.float64(s)


# --------------------------------------------------------------------------- public functions


def col_means(x, *, na_rm: bool = False) -> np.ndarray:
    """R's ``colMeans(x, na.rm = na_rm)``: per column, a long double sum in row order divided
    by the count (of non-missing values with ``na_rm``), rounded to double once.

    NumPy's ``x.mean(axis=0)`` sums doubles pairwise and divides in double, so it can differ
    from R in the last bit; R's ``colMeans`` (unlike ``mean``) takes no refining second pass.

    Parameters
    ----------
    x : array-like of shape (n, p)
        R's matrix (rows = observations).
    na_rm : bool, default False
        Drop NA and NaN per column. A column with no values left gives NaN, as in R.

    Returns
    -------
    ndarray of shape (p,)

    Examples
    --------
    >>> col_means([[1.0, 2.0], [2.0, None]], na_rm=True)
    array([1.5, 2. ])
    """
    arr = _as_doubles(x, "x", (2,))
    missing = np.isnan(arr)
    with np.errstate(all="ignore"):
        if na_rm:
            # a skipped value and an added +0 leave R's sum unchanged (s is never -0)
            total = _ldsum(np.where(missing, 0.0, arr))
            count = (~missing).sum(axis=0)
        else:
            total = _ldsum(arr)
            count = np.full(arr.shape[1], arr.shape[0])
        means = (total / count.astype(_LD)).astype(np.float64)
        if not na_rm:  # NaN met by a NaN sum (NaN + NA, or Inf - Inf then NA)
            for j in np.flatnonzero(np.isnan(means) & missing.any(axis=0)):
                means[j] = _x87_nan_of_sum(arr[:, j])  # NaN / count keeps the payload
        return means


def mean(x, *, na_rm: bool = False) -> np.float64:
    """R's ``mean(x, na.rm = na_rm)`` of a double vector (``mean.default`` without ``trim``).

    R sums in long double, divides by n, then adds the mean of the residuals ``x - mean``
    (again in long double): a second pass that NumPy's pairwise ``np.mean`` does not take.
    A matrix is taken as the vector of its values in column-major order, as R does. Integer
    and boolean input is R's integer/logical vector, whose mean R computes in one pass.

    Parameters
    ----------
    x : array-like
    na_rm : bool, default False
        Drop NA and NaN first. Without it, a missing value makes the mean NA or NaN as in R.

    Returns
    -------
    numpy.float64
        NaN for an empty vector, as R's ``mean(numeric(0))``.

    Examples
    --------
    >>> float(mean([1.0, 2.0, 4.0]))
    2.3333333333333335
    >>> float(mean([1.0, None, 3.0], na_rm=True))
    2.0
    """
    arr = _as_doubles(x, "x", (0, 1, 2)).ravel(order="F")
    if na_rm:
        arr = arr[~np.isnan(arr)]
    if np.asarray(x).dtype.kind in "biu":  # R's integer_mean/logical_mean: no second pass
        with np.errstate(all="ignore"):
            return np.float64(_ldsum(arr) / _LD(arr.size))
    return _real_mean(arr)


def _two_pass_mean(col: np.ndarray, nobs: int) -> np.float64:
    """cov.c's ``MEAN``/``MEAN_``: long double sum / nobs, one refinement pass, then a double."""
    with np.errstate(all="ignore"):
        tmp = _ldsum(col) / _LD(nobs)
        if np.isfinite(np.float64(tmp)):
            tmp = tmp + _ldsum(col.astype(_LD) - tmp) / _LD(nobs)
    return np.float64(tmp)


def _cross(a: np.ndarray, am: np.float64, b: np.ndarray, bm: np.float64) -> np.ndarray:
    """cov.c's ``sum += (LDOUBLE)(xx[k] - xxm) * (yy[k] - yym)`` (xxm is a long double holding
    the double mean, so both differences are long double)."""
    return _ldsum((a.astype(_LD) - _LD(am)) * (b.astype(_LD) - _LD(bm)))


def _corcov(x: np.ndarray, y: np.ndarray | None, method: int, cor: bool) -> np.ndarray:
    """cov.c's ``corcov`` (Pearson): the (p, q) matrix of covariances or correlations of the
    columns of x (and y; y=None is ``var(x)``/``cor(x)``)."""
    n, p = x.shape
    yy = x if y is None else y
    q = yy.shape[1]
    if method in (1, 2, 3) and x.size == 0:
        raise ValueError("'x' is empty (R: \"'x' is empty\"); use 'everything' or 'na.or.complete' "
                         "for NA on empty input")
    if method == 3:
        return _cov_pairwise(x, yy, y is None, cor)
    ans = np.full((p, q), NA)
    sd_0 = False
    with np.errstate(all="ignore"):
        if method == 4:  # "everything": a column holding NA/NaN gives NA
            rows = np.ones(n, dtype=bool)
            has_na_x, has_na_y = np.isnan(x).any(axis=0), np.isnan(yy).any(axis=0)
        else:  # complete cases of x and y together
            incomplete = np.isnan(x).any(axis=1) | np.isnan(yy).any(axis=1)
            if method == 1 and incomplete.any():
                raise ValueError("missing observations in cov/cor (use = 'all.obs'); the rows "
                                 f"{np.flatnonzero(incomplete)[:10].tolist()} hold NA or NaN")
            rows = ~incomplete
            has_na_x, has_na_y = np.zeros(p, dtype=bool), np.zeros(q, dtype=bool)
        nobs = int(rows.sum())
        if nobs <= 1:  # COV_n_le_1: too many missing
            if method in (1, 2) and nobs == 0:
                raise ValueError("no complete element pairs (use = "
                                 f"{USES[method - 1]!r}): every row holds an NA or NaN")
            return ans
        xs, ys = x[rows], yy[rows]
        xm = np.array([NA if has_na_x[i] else _two_pass_mean(xs[:, i], nobs) for i in range(p)])
        ym = xm if y is None else np.array(
            [NA if has_na_y[j] else _two_pass_mean(ys[:, j], nobs) for j in range(q)])
        n1 = _LD(nobs - 1)
        for i in range(p):
            for j in range(q):
                if y is None and j > i:
                    continue
                if not (has_na_x[i] or has_na_y[j]):
                    ans[i, j] = np.float64(_cross(xs[:, i], xm[i], ys[:, j], ym[j]) / n1)
                if y is None:
                    ans[j, i] = ans[i, j]
        if not cor:
            return ans
        if y is None:  # cov_complete1 / cov_na_1: sd = sqrt of the double variance
            sdx = np.array([np.sqrt(ans[i, i]) for i in range(p)])
            for i in range(p):
                if not has_na_x[i]:
                    for j in range(i):
                        if sdx[i] == 0 or sdx[j] == 0:
                            sd_0 = True
                            ans[i, j] = ans[j, i] = NA
                        else:
                            ans[i, j] = ans[j, i] = np.clip(ans[i, j] / (sdx[i] * sdx[j]), -1.0, 1.0)
                ans[i, i] = 1.0
        else:  # cov_complete2 / cov_na_2: sd = sqrtl of the long double variance
            def sdev(cols, means, has_na):
                return [NA if has_na[i] else
                        np.float64(np.sqrt(_cross(cols[:, i], means[i], cols[:, i], means[i]) / n1))
                        for i in range(cols.shape[1])]
            sdx, sdy = sdev(xs, xm, has_na_x), sdev(ys, ym, has_na_y)
            for i in range(p):
                for j in range(q):
                    if has_na_x[i] or has_na_y[j]:
                        continue
                    if sdx[i] == 0 or sdy[j] == 0:
                        sd_0 = True
                        ans[i, j] = NA
                    else:
                        ans[i, j] = np.clip(ans[i, j] / (sdx[i] * sdy[j]), -1.0, 1.0)
    if sd_0:
        warnings.warn("the standard deviation is zero", RuntimeWarning, stacklevel=3)
    return ans


def _cov_pairwise(x: np.ndarray, y: np.ndarray, symmetric: bool, cor: bool) -> np.ndarray:
    """cov.c's ``COV_PAIRWISE_BODY``: per pair of columns, the rows where both are present;
    long double means without refinement, kept in long double; ``cor`` divides in long double
    (so even the diagonal of ``cor(x)`` is computed, not set to 1)."""
    p, q = x.shape[1], y.shape[1]
    ans = np.full((p, q), NA)
    sd_0 = False
    with np.errstate(all="ignore"):
        for i in range(p):
            for j in range(i + 1 if symmetric else q):
                ok = ~(np.isnan(x[:, i]) | np.isnan(y[:, j]))
                nobs = int(ok.sum())
                if nobs >= 2:
                    a, b = x[ok, i].astype(_LD), y[ok, j].astype(_LD)
                    am, bm = _ldsum(a) / _LD(nobs), _ldsum(b) / _LD(nobs)
                    xm, ym = a - am, b - bm
                    total = _ldsum(xm * ym)
                    n1 = _LD(nobs - 1)
                    if cor:
                        xsd, ysd = _ldsum(xm * xm), _ldsum(ym * ym)
                        if xsd == 0 or ysd == 0:
                            sd_0 = True
                            total = np.asarray(NA, dtype=_LD)
                        else:
                            total = (total / n1) / (np.sqrt(xsd / n1) * np.sqrt(ysd / n1))
                            total = np.clip(total, _LD(-1), _LD(1))
                    else:
                        total = total / n1
                    ans[i, j] = np.float64(total)
                if symmetric:
                    ans[j, i] = ans[i, j]
    if sd_0:
        warnings.warn("the standard deviation is zero", RuntimeWarning, stacklevel=3)
    return ans


def _cov_entry(x, y, na_rm: bool, use: str | None, cor: bool):
    """Shared front of :func:`var` and :func:`cor`: R's ``use`` default, shapes, the result
    as a scalar for vectors and a matrix otherwise (R's ``ansmat``)."""
    if use is None:
        use = "na.or.complete" if na_rm else "everything"
    method = _check_use(use)
    xa = _as_doubles(x, "x", (1, 2))
    ya = None if y is None else _as_doubles(y, "y", (1, 2))
    as_matrix = xa.ndim == 2 or (ya is not None and ya.ndim == 2)
    x2 = xa if xa.ndim == 2 else xa[:, None]
    y2 = None
    if ya is not None:
        if len(ya) != len(xa):
            raise ValueError(f"incompatible dimensions: x has {len(xa)} rows, y has {len(ya)}")
        y2 = ya if ya.ndim == 2 else ya[:, None]
    elif cor and xa.ndim == 1:
        raise ValueError("supply both 'x' and 'y' or a matrix-like 'x' (cor of one vector)")
    ans = _corcov(x2, y2, method, cor)
    return ans if as_matrix else ans[0, 0]


def var(x, y=None, *, na_rm: bool = False, use: str | None = None):
    """R's ``var(x, y, na.rm, use)``: sample variance (divisor n - 1) of a vector, or the
    covariance matrix of the columns of a matrix (of x with y when y is given).

    R computes (stats ``cov.c``) each column's mean in long double with a refining second
    pass, rounds it to double, then sums ``(x - mean) * (y - mean)`` in long double.
    ``np.var`` divides by n (``ddof=0``) unless told otherwise and sums doubles pairwise.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, p)
    y : array-like of shape (n,) or (n, q), optional
    na_rm : bool, default False
        R's ``na.rm``: chooses ``use = "na.or.complete"`` instead of ``"everything"`` when
        ``use`` is not given.
    use : {"everything", "all.obs", "complete.obs", "na.or.complete", "pairwise.complete.obs"}
        As R's ``use``: ``"everything"`` makes a column holding NA/NaN give :data:`NA`;
        ``"all.obs"`` raises on missing values; ``"complete.obs"``/``"na.or.complete"`` keep
        the rows complete in every column (raising / giving NA when none are left);
        ``"pairwise.complete.obs"`` the rows complete in each pair of columns.

    Returns
    -------
    numpy.float64 for vectors, ndarray of shape (p, p) or (p, q) otherwise.
        NA when fewer than two observations remain.

    Examples
    --------
    >>> float(var([1.0, 2.0, 4.0]))
    2.3333333333333335
    >>> var([[1.0, 2.0], [2.0, 4.0], [4.0, 9.0]])
    array([[ 2.33333333,  5.5       ],
           [ 5.5       , 13.        ]])
    """
    return _cov_entry(x, y, na_rm, use, cor=False)


def sd(x, *, na_rm: bool = False):
    """R's ``sd(x, na.rm)``: ``sqrt(var(x))`` of a vector; for a matrix, the sd of each column
    (what R code writes as ``apply(x, 2, sd)`` or ``sapply(df, sd)``).

    R's ``sd`` divides by n - 1 and accumulates in long double (see :func:`var`);
    ``np.std`` divides by n by default (``ddof=0``), a classic porting bug, and even
    ``np.std(x, ddof=1)`` can differ from R in the last bits. R's own ``sd(matrix)`` pools all
    values; pass ``x.ravel(order="F")`` for that.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, p)
    na_rm : bool, default False
        Drop NA/NaN (per column for a matrix).

    Returns
    -------
    numpy.float64 for a vector, ndarray of shape (p,) for a matrix. NA for n < 2 or a column
    holding a missing value without ``na_rm``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
    >>> float(sd(x)), float(np.std(x))  # NumPy's default divides by n
    (2.138089935299395, 2.0)
    """
    arr = _as_doubles(x, "x", (1, 2))
    with np.errstate(all="ignore"):
        if arr.ndim == 1:
            return np.sqrt(var(arr, na_rm=na_rm))
        return np.array([np.sqrt(var(arr[:, j], na_rm=na_rm)) for j in range(arr.shape[1])])


def cor(x, y=None, *, use: str = "everything"):
    """R's ``cor(x, y, use)``, Pearson: the correlation of two vectors, or the correlation
    matrix of the columns of x (with those of y when given).

    The order of operations is R's (stats ``cov.c``), and it differs between R's cases:
    ``cor(x)`` of a matrix divides the double covariance by the product of the square roots of
    the double variances (diagonal set to 1); ``cor(x, y)`` divides by long double standard
    deviations rounded to double; ``"pairwise.complete.obs"`` divides in long double with
    unrefined means (its diagonal is computed, so it may miss 1 by an ulp). A column of zero
    variance gives :data:`NA` and the warning "the standard deviation is zero", as in R.
    ``np.corrcoef`` normalizes the covariance matrix in double and so differs in the last bits.

    Parameters
    ----------
    x : array-like of shape (n,) or (n, p)
    y : array-like of shape (n,) or (n, q), optional
        Required when x is a vector.
    use : str, default "everything"
        As in :func:`var`.

    Returns
    -------
    numpy.float64 for two vectors, ndarray otherwise.

    Examples
    --------
    >>> float(cor([1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0]))
    0.8
    """
    return _cov_entry(x, y, False, use, cor=True)


class RScaled(NamedTuple):
    """What R's ``scale()`` returns: the matrix and its ``"scaled:center"`` and
    ``"scaled:scale"`` attributes (None where R sets no attribute)."""

    x: np.ndarray
    center: np.ndarray | None
    scale: np.ndarray | None


def scale(x, *, center: bool | Sequence[float] | np.ndarray = True,
          scale: bool | Sequence[float] | np.ndarray = True) -> RScaled:
    """R's ``scale(x, center, scale)`` (``scale.default``), column by column.

    With ``center=True`` the columns are centred by :func:`col_means` (``na_rm=True``); with
    ``scale=True`` each is divided by its root mean square ``sqrt(sum(v^2) / max(1, n - 1))``
    over its non-missing values v (R's ``sum``: long double, in order). After centring that is
    the sample sd; without centring it is not the sd. ``(x - x.mean(0)) / x.std(0)`` differs
    from R: NumPy's std divides by n and both sum pairwise in double. A constant column is
    scaled by 0 and becomes NaN, as in R.

    Parameters
    ----------
    x : array-like of shape (n, p) or (n,)
        A vector is one column (R's ``as.matrix``); the result keeps x's shape.
    center : bool or array-like of shape (p,), default True
        True: subtract the column means; False: do not centre; numbers: subtract these
        (e.g. a training set's ``center``, R's ``attr(train, "scaled:center")``).
    scale : bool or array-like of shape (p,), default True
        True: divide by the root mean square; False: do not scale; numbers: divide by these.

    Returns
    -------
    RScaled
        ``x``: the scaled values; ``center`` and ``scale``: the numbers used (None when
        False), i.e. R's attributes.

    Examples
    --------
    >>> s = scale([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0]])
    >>> s.x[:, 0], s.center, s.scale
    (array([-1.,  0.,  1.]), array([ 2., 30.]), array([ 1.        , 26.45751311]))
    """
    arr = _as_doubles(x, "x", (1, 2))
    mat = arr[:, None] if arr.ndim == 1 else arr
    ncol = mat.shape[1]

    def numbers(value, what: str) -> np.ndarray:
        vec = _as_doubles(value, what, (0, 1)).ravel()
        if vec.size != ncol:
            raise ValueError(f"length of '{what}' must equal the number of columns of 'x' ({ncol}); "
                             f"got {vec.size}")
        return vec

    with np.errstate(all="ignore"):
        used_center: np.ndarray | None = None
        if isinstance(center, (bool, np.bool_)):
            if center:
                used_center = col_means(mat, na_rm=True)
        else:
            used_center = numbers(center, "center")
        if used_center is not None:
            mat = mat - used_center
        used_scale: np.ndarray | None = None
        if isinstance(scale, (bool, np.bool_)):
            if scale:
                used_scale = np.empty(ncol)
                for j in range(ncol):
                    v = mat[~np.isnan(mat[:, j]), j]
                    used_scale[j] = np.sqrt(_rsum(v * v) / max(1.0, float(v.size - 1)))
        else:
            used_scale = numbers(scale, "scale")
        if used_scale is not None:
            mat = mat / used_scale
    return RScaled(mat.reshape(arr.shape), used_center, used_scale)


def quantile(x, probs=(0.0, 0.25, 0.5, 0.75, 1.0), *, na_rm: bool = False,
             type: int = 7) -> np.ndarray:  # noqa: A002 - R's argument name
    """R's ``quantile(x, probs, na.rm, type = 7)`` (``quantile.default``), without names.

    Type 7 (R's default) takes ``index = 1 + (n - 1) * p``, ``lo = floor(index)``,
    ``h = index - lo`` and returns ``(1 - h) * x[lo] + h * x[lo + 1]``, skipping the
    interpolation when ``h`` is 0 or the two order statistics are equal. ``np.quantile``'s
    "linear" method computes ``a + (b - a) * h`` (and ``b - (b - a) * (1 - h)`` for
    ``h >= 0.5``), which can differ from R in the last bit. Probabilities may overshoot
    [0, 1] by ``100 * .Machine$double.eps`` (R's fuzz) and are then clamped; an NA/NaN
    probability gives :data:`NA`.

    Parameters
    ----------
    x : array-like of shape (n,)
    probs : float or array-like, default (0, 0.25, 0.5, 0.75, 1)
    na_rm : bool, default False
        Drop NA/NaN first; without it a missing value is an error, as in R.
    type : int, default 7
        Only R's default, 7, is implemented.

    Returns
    -------
    ndarray of shape (len(probs),)
        NA for each probability when x is empty.

    Examples
    --------
    >>> quantile([1.0, 2.0, 3.0, 10.0], [0.5, 0.9])
    array([2.5, 7.9])
    """
    if type != 7:
        raise ValueError(f"type must be 7 (R's default; the only type implemented); got {type!r}")
    arr = _as_doubles(x, "x", (1,))
    p = _as_doubles(probs, "probs", (0, 1)).ravel()
    if na_rm:
        arr = arr[~np.isnan(arr)]
    elif np.isnan(arr).any():
        raise ValueError("missing values and NaN's not allowed if 'na_rm' is False")
    p_ok = ~np.isnan(p)
    eps = 100 * _DBL_EPS
    with np.errstate(invalid="ignore"):
        outside = p_ok & ((p < -eps) | (p > 1 + eps))
    if outside.any():
        raise ValueError(f"'probs' outside [0,1]: {p[outside].tolist()}")
    n = arr.size
    out = np.full(p.shape, NA)
    if n == 0:
        return out
    pc = np.clip(p[p_ok], 0.0, 1.0)
    index = 1 + max(n - 1, 0) * pc
    lo = np.floor(index)
    hi = np.ceil(index)
    xs = np.sort(arr)
    qs = xs[lo.astype(np.intp) - 1]
    x_hi = xs[hi.astype(np.intp) - 1]
    inner = (index > lo) & (x_hi != qs)
    h = (index - lo)[inner]
    qs[inner] = (1 - h) * qs[inner] + h * x_hi[inner]
    out[p_ok] = qs
    return out


def _pow_di(x: float, n: int) -> float:
    """R's ``R_pow_di``: x**n by repeated squaring (for n > 22, 10**n is not exact, and the
    squaring order decides the bits)."""
    xn = 1.0
    neg = n < 0
    n = abs(n)
    while n:
        if n & 1:
            xn *= x
        n >>= 1
        if n:
            x *= x
    return 1.0 / xn if neg else xn


def _fround(x: np.ndarray, digits: float) -> np.ndarray:
    """R 4.2's ``fround`` (nmath/fround.c) for one number of digits, elementwise over x."""
    if math.isnan(digits):
        return x + digits
    if digits == 0:
        return np.rint(x)  # nearbyint: halves to even
    out = x.copy()
    live = np.isfinite(x) & (x != 0)
    if digits > _MAX10E + _DBL_DIG or not live.any():
        return out
    if digits < -_MAX10E:
        out[live] = 0.0
        return out
    dig = int(math.floor(digits + 0.5))
    v = x[live]
    sgn = np.where(v < 0, -1.0, 1.0)
    ax = np.abs(v)
    l10x = _M_LOG10_2 * (0.5 + (np.frexp(ax)[1] - 1))  # logb(x): the binary exponent
    keep = l10x + dig > _DBL_DIG  # more digits than a double holds: nothing to round
    if dig <= _MAX10E:
        pow10 = _pow_di(10.0, dig)
        x10 = ax * pow10
        i10 = np.floor(x10)
        xd = i10 / pow10
        xu = np.ceil(x10) / pow10
    else:  # |x| ~ 1e-305: 10^dig would overflow
        p10 = _pow_di(10.0, dig - _MAX10E)
        pow10 = _pow_di(10.0, _MAX10E)
        x10 = (ax * pow10) * p10
        i10 = np.floor(x10)
        xd = i10 / pow10 / p10
        xu = np.ceil(x10) / pow10 / p10
    du, dd = xu - ax, ax - xd
    rounded = sgn * np.where((du < dd) | ((np.fmod(i10, 2.0) == 1) & (du == dd)), xu, xd)
    out[live] = np.where(keep, v, rounded)
    return out


def round(x, digits=0):  # noqa: A001 - R's name, as the module is used as rnum.round
    """R's ``round(x, digits)`` (R >= 4.0.0, ``fround``): of ``floor(x * 10^d) / 10^d`` and
    ``ceil(x * 10^d) / 10^d``, the one nearer to x in double arithmetic, on a tie the one with
    an even last digit; ``digits`` may be negative (tens, hundreds) or an array (recycled).

    ``np.round`` scales, rounds half to even and scales back (``rint(x * 10^d) / 10^d``) and
    Python's ``round`` decides on the exact binary value, so both differ from R near ties,
    e.g. R's ``round(0.15, 1)`` is 0.1 and ``round(2.675, 2)`` is 2.67.

    Parameters
    ----------
    x : array-like
    digits : int, float or array-like, default 0
        Rounded to an integer as R does (``floor(digits + 0.5)``); NA/NaN gives NA/NaN.

    Returns
    -------
    ndarray (numpy.float64 for scalar input)

    Examples
    --------
    >>> round([0.15, 2.5, -0.8906, 1234.5], 1).tolist()
    [0.1, 2.5, -0.9, 1234.5]
    >>> float(round(1250.0, -2))
    1200.0
    """
    arr = _as_doubles(x, "x", range(0, 33))
    dig = _as_doubles(digits, "digits", range(0, 33))
    xb, db = np.broadcast_arrays(arr, dig)
    out = np.empty(xb.shape)
    flat_x, flat_d, flat_out = xb.ravel(), db.ravel(), out.reshape(-1)
    # one pass per distinct number of digits (usually one); NaN digits compare unequal, so
    # their positions are found by isnan
    nan_d = np.isnan(flat_d)
    with np.errstate(all="ignore"):
        if nan_d.any():
            flat_out[nan_d] = flat_x[nan_d] + flat_d[nan_d]
        for d in np.unique(flat_d[~nan_d]):
            sel = flat_d == d
            flat_out[sel] = _fround(flat_x[sel], float(d))
    return out[()] if out.ndim == 0 else out
