"""R's factors as the measures see them: integer codes (-1 for NA) and the levels, as strings.

A pandas ``Categorical`` (or a categorical Series) is a factor with its categories as levels,
used or not. Any other 1-D array of labels becomes what R's ``factor()`` makes of it: the sorted
distinct labels as levels (numbers numerically, strings by code point, as R in the C locale),
NaN and None as NA.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from python_impl.caret import rformat
from python_impl.caret.rnumeric import RError, r_warn

__all__ = ["Factor", "as_factor", "is_factor_column", "label_strings", "r_levels_equal"]


class Factor(NamedTuple):
    codes: np.ndarray  # intp, -1 = NA
    levels: list[str]

    def strings(self) -> np.ndarray:
        """The labels as an object array of str, None for NA (R's ``as.character``)."""
        lv = np.array(self.levels + [None], dtype=object)
        return lv[self.codes]


def label_strings(values: np.ndarray) -> list[str]:
    """``as.character`` of distinct labels (R: ``1`` -> "1", ``0.5`` -> "0.5", TRUE -> "TRUE")."""
    out = []
    for v in values:
        if isinstance(v, bool | np.bool_):
            out.append("TRUE" if v else "FALSE")
        elif isinstance(v, float | np.floating):
            out.append(rformat.as_character(float(v)))
        else:
            out.append(str(v))
    return out


def is_factor_column(x) -> bool:
    return isinstance(x, pd.Categorical) or (
        isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype)
    )


def as_factor(x, name: str) -> Factor:
    """A factor from a Categorical, or R's ``factor(x)`` of an array of labels."""
    if isinstance(x, pd.Series) and isinstance(x.dtype, pd.CategoricalDtype):
        x = x.array
    if isinstance(x, pd.Categorical):
        return Factor(np.asarray(x.codes, dtype=np.intp), [str(c) for c in x.categories])
    if isinstance(x, pd.Series | pd.Index):
        x = x.to_numpy()
    if isinstance(x, str) or np.ndim(x) != 1:
        raise TypeError(
            f"{name}: expected a 1-D array-like of labels or a pandas Categorical, "
            f"got {type(x).__name__} with {np.ndim(x)} dimensions"
        )
    arr = np.asarray(x)
    if arr.dtype.kind not in "biufUSO":
        raise TypeError(
            f"{name}: labels of dtype {arr.dtype} are not supported; expected "
            "integers, floats, booleans, strings or a pandas Categorical"
        )
    if arr.dtype.kind == "O":
        missing = np.asarray(pd.isna(arr), dtype=bool)
        arr = arr.astype(str).astype(object)
        arr[missing] = None
    elif arr.dtype.kind == "f":
        arr = arr + 0.0  # -0.0 is 0: one level, as in R
    # hash the labels, then sort only the distinct ones (missing values get code -1)
    raw, found = pd.factorize(arr, sort=False)
    found = np.asarray(found)
    order = np.argsort(found, kind="stable")
    rank = np.empty(order.size + 1, dtype=np.intp)
    rank[order] = np.arange(order.size)
    rank[-1] = -1
    codes = rank[np.asarray(raw, dtype=np.intp)]
    uniq = found[order]
    return Factor(codes, label_strings(uniq))


def r_levels_equal(a: list[str] | None, b: list[str] | None) -> bool:
    """R's ``all(a == b)`` on two level vectors: recycled, TRUE when either is empty, with R's
    warning when the longer length is not a multiple of the shorter."""
    a, b = a or [], b or []
    if not a or not b:
        return True
    la, lb = len(a), len(b)
    n = max(la, lb)
    if n % min(la, lb):
        r_warn("longer object length is not a multiple of shorter object length", stacklevel=4)
    return all(a[i % la] == b[i % lb] for i in range(n))


def column(data: pd.DataFrame, key: str):
    """``data[, key]``: R's error for a missing column."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"data: expected a pandas DataFrame with columns obs, pred (and one "
            f"probability column per level), got {type(data).__name__}"
        )
    if key not in data.columns:
        raise RError("undefined columns selected")
    return data[key]


def factor_or_none(x) -> Factor | None:
    """The factor a data-frame column is in R, or None when it is not a factor."""
    return as_factor(x, "column") if is_factor_column(x) else None
