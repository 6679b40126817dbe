"""The port against caret itself, live in embedded R (rpy2), on generated tables and labels.

Every statistic must agree within relative 1e-12 (parity.rules.compare.STATS; the NIR p-value
exactly, see parity.rules.compare), NA where R has NA and
NaN where R has NaN; the printed text must equal R's line by line (trailing spaces aside).
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity.rules.compare import STATS, stat_tolerance, values_agree
from python_impl.caret.confusion import (
    MODES,
    OVERALL_NAMES,
    confusion_matrix,
    confusion_matrix_from_table,
    is_na,
)

pytestmark = pytest.mark.r
# derandomize: CI runs the same examples every time, so a pass is reproducible; set
# PARITY_EXAMPLES (and PARITY_RANDOM=1 for fresh random examples) to search further.
SETTINGS = settings(max_examples=int(os.environ.get("PARITY_EXAMPLES", "150")), deadline=None,
                    derandomize=not os.environ.get("PARITY_RANDOM"), database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_same(py, r, *, text=True):
    for key in OVERALL_NAMES:
        assert values_agree(r.overall[key], py.overall[key], stat_tolerance(key)), \
            f"{key}: R {r.overall[key]!r} vs Python {py.overall[key]!r}"
        if np.isnan(r.overall[key]):
            assert is_na(py.overall[key]) == r.overall_is_na[key], f"{key}: NA vs NaN"
    pb = py.by_class.to_numpy(dtype=float)
    assert pb.shape == r.by_class.shape
    assert values_agree(r.by_class, pb, STATS), f"byClass differs:\nR {r.by_class}\nPy {pb}"
    py_na = np.vectorize(is_na)(pb) if pb.size else pb.astype(bool)
    np.testing.assert_array_equal(py_na, r.by_class_is_na, err_msg="NA vs NaN in byClass")
    assert py.positive == r.positive
    assert py.levels == r.levels
    np.testing.assert_array_equal(py.table.to_numpy(), r.table)
    if text:
        r_lines = [line.rstrip() for line in r.text.split("\n")]
        assert str(py).split("\n") == r_lines


@st.composite
def tables(draw, k_min=2, k_max=12):
    k = draw(st.integers(k_min, k_max))
    # totals stay below ~2e7: R's binom.test allocates n/2 doubles (see test_counts_up_to_1e9)
    scale = draw(st.sampled_from([1, 10, 1000, 10**5]))
    counts = np.array(draw(st.lists(st.integers(0, scale), min_size=k * k, max_size=k * k)))
    counts = counts.reshape(k, k)
    if draw(st.booleans()):
        counts[draw(st.integers(0, k - 1)), :] = 0  # a class never predicted
    if draw(st.booleans()):
        counts[:, draw(st.integers(0, k - 1))] = 0  # a class absent from the reference
    if draw(st.booleans()):  # strong diagonal, as real classifiers give
        counts += np.diag(draw(st.lists(st.integers(0, scale * 5), min_size=k, max_size=k)))
    return counts


def _prevalence(draw, levels):
    if not draw(st.booleans()):
        return None
    probs = st.floats(0.0, 1.0, allow_nan=False)
    if len(levels) == 2:
        return draw(probs)
    return {lv: draw(probs) for lv in levels}


@SETTINGS
@given(data=st.data(), counts=tables(), mode=st.sampled_from(MODES))
def test_tables_match_caret(r_caret, data, counts, mode):
    k = counts.shape[0]
    levels = [f"c{i}" for i in range(k)]
    positive = data.draw(st.sampled_from([None, *levels])) if k == 2 else None
    prevalence = _prevalence(data.draw, levels)
    py = confusion_matrix_from_table(counts, labels=levels, positive=positive,
                                     prevalence=prevalence, mode=mode)
    r = r_caret.caret_from_table(counts, levels, positive=positive, prevalence=prevalence,
                                 mode=mode)
    assert_same(py, r)


@pytest.mark.parametrize("k", [30, 100])
def test_large_k_matches_caret(r_caret, k):
    rng = np.random.default_rng(k)
    counts = rng.integers(0, 50, size=(k, k)) + np.diag(rng.integers(0, 5000, size=k))
    counts[:, 3] = 0
    levels = [f"class_{i}" for i in range(k)]
    py = confusion_matrix_from_table(counts, labels=levels, mode="everything")
    r = r_caret.caret_from_table(counts, levels, mode="everything")
    assert_same(py, r)


@SETTINGS
@given(data=st.data(), k=st.integers(2, 12), n=st.integers(1, 300), mode=st.sampled_from(MODES))
def test_labels_match_caret(r_caret, data, k, n, mode):
    ref = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    # predictions: right most of the time, never using some classes
    never = set(data.draw(st.lists(st.integers(0, k - 1), max_size=k // 2)))
    allowed = [c for c in range(k) if c not in never] or [0]
    noise = np.array(data.draw(st.lists(st.sampled_from(allowed), min_size=n, max_size=n)))
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    pred = np.where(keep & np.isin(ref, allowed), ref, noise)
    levels = sorted({str(x) for x in ref})
    positive = data.draw(st.sampled_from([None, *levels])) if len(levels) == 2 else None
    prevalence = _prevalence(data.draw, levels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            py = confusion_matrix(pred, ref, positive=positive, prevalence=prevalence, mode=mode)
    except ValueError as exc:
        # caret must refuse the same input
        with pytest.raises(Exception):  # noqa: B017  (rpy2 raises RRuntimeError)
            r_caret.caret_from_labels(pred, ref, positive=positive, prevalence=prevalence,
                                      mode=mode)
        assert str(exc)
        return
    r = r_caret.caret_from_labels(pred, ref, positive=positive, prevalence=prevalence, mode=mode)
    assert_same(py, r)


def test_string_labels_and_categoricals_match_caret(r_caret):
    rng = np.random.default_rng(7)
    names = np.array(["Coat", "bag", "Shirt", "dress", "Zebra"])
    ref = names[rng.integers(0, 5, 400)]
    pred = np.where(rng.random(400) < 0.7, ref, names[rng.integers(0, 4, 400)])
    py = confusion_matrix(pred, ref, mode="everything")
    r = r_caret.caret_from_labels(pred, ref, mode="everything")
    assert_same(py, r)
    cat = confusion_matrix(pd.Categorical(pred, categories=sorted(names)),
                           pd.Categorical(ref, categories=sorted(names)), mode="everything")
    assert str(cat) == str(py)


@pytest.mark.parametrize("counts", [
    [[10**9, 3 * 10**8, 7], [10**9 - 1, 10**9, 0], [1, 2, 10**9]],
    [[10**9, 12345], [678, 10**9 - 5]],
    [[0, 10**9], [10**9, 0]],
])
def test_counts_up_to_1e9(r_caret, counts):
    """Every statistic as caret, except where R runs out of memory.

    caret's CI comes from binom.test, which also computes a two-sided p-value over ~n/2
    doubles; at these totals R cannot allocate it, the try() fails, and caret reports NA.
    The port gives binom.test's interval itself, checked here against R's qbeta.
    """
    counts = np.array(counts)
    levels = [f"l{i}" for i in range(len(counts))]
    py = confusion_matrix_from_table(counts, labels=levels, mode="everything")
    r = r_caret.caret_from_table(counts, levels, mode="everything")
    assert r.overall_is_na["AccuracyLower"] and r.overall_is_na["AccuracyUpper"]
    x, n = float(np.trace(counts)), float(counts.sum())
    ro = r_caret.r_env()
    lower, upper = ro.r(f"c(if ({x} == 0) 0 else qbeta(0.025, {x}, {n} - {x} + 1), "
                        f"if ({x} == {n}) 1 else qbeta(0.975, {x} + 1, {n} - {x}))")
    assert values_agree(lower, py.overall["AccuracyLower"], STATS)
    assert values_agree(upper, py.overall["AccuracyUpper"], STATS)
    for key in OVERALL_NAMES:
        if key not in ("AccuracyLower", "AccuracyUpper"):
            assert values_agree(r.overall[key], py.overall[key], stat_tolerance(key)), key
    assert values_agree(r.by_class, py.by_class.to_numpy(dtype=float), STATS)


def test_pvalue_print_tie_as_r(r_caret):
    """P(X >= 4), X ~ Binomial(6, 0.5), is exactly 22/64 = 0.34375, but R's pbeta returns
    0.34374999999999994 and caret prints 0.3437; SciPy's betainc returns 0.34375 (printed
    0.3438). The port runs R's algorithm, so it has R's double and R's text."""
    counts = np.array([[0, 0, 0], [0, 1, 0], [1, 1, 3]])
    py = confusion_matrix_from_table(counts)
    r = r_caret.caret_from_table(counts, ["0", "1", "2"])
    assert r.overall["AccuracyPValue"] == 0.34374999999999994
    assert py.overall["AccuracyPValue"] == r.overall["AccuracyPValue"]
    assert_same(py, r)
    assert "P-Value [Acc > NIR] : 0.3437" in str(py)
