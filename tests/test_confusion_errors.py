"""Bad input: each case raises ValueError/TypeError naming the value; nothing is returned."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from python_impl.caret.confusion import confusion_matrix, confusion_matrix_from_table

GOOD = [[3, 1], [2, 4]]


@pytest.mark.parametrize(
    ("table", "kwargs", "exc", "match"),
    [
        ([[1, 2, 3], [4, 5, 6]], {}, ValueError, r"shape \(2, 3\): expected a square"),
        ([1, 2, 3, 4], {}, ValueError, r"shape \(4,\)"),
        ([[5]], {}, ValueError, r"at least 2 levels"),
        ([[3, -1], [2, 4]], {}, ValueError, r"table\[0, 1\] = -1"),
        ([[3.5, 1], [2, 4]], {}, ValueError, r"table\[0, 0\] = 3.5"),
        ([[3, np.nan], [2, 4]], {}, ValueError, r"table\[0, 1\] = nan"),
        ([["a", "b"], ["c", "d"]], {}, TypeError, r"dtype <U1: expected integer counts"),
        (GOOD, {"labels": ["x"]}, ValueError, r"labels=\['x'\]: expected 2 distinct"),
        (GOOD, {"labels": ["x", "x"]}, ValueError, r"expected 2 distinct"),
        (GOOD, {"mode": "recall"}, ValueError, r"mode='recall': expected one of 'sens_spec'"),
        (GOOD, {"positive": "7"}, ValueError, r"positive='7': not a level; expected one of \['0', '1'\]"),
        (GOOD, {"positive": 1.5}, TypeError, r"positive=1.5"),
        (GOOD, {"prevalence": 1.5}, ValueError, r"prevalence\['prevalence'\]=1.5"),
        (GOOD, {"prevalence": "high"}, TypeError, r"prevalence='high'"),
        (GOOD, {"prevalence": {"0": 0.5, "1": 0.5}}, ValueError, r"with two classes give one"),
        ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], {"prevalence": 0.3}, ValueError,
         r"prevalence=0.3: with 3 classes give a mapping"),
        ([[1, 0, 0], [0, 1, 0], [0, 0, 1]], {"prevalence": {"0": 0.3, "1": 0.3}}, ValueError,
         r"missing \['2'\]"),
    ],
)
def test_bad_tables(table, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        confusion_matrix_from_table(table, **kwargs)


def test_dataframe_index_must_equal_columns():
    df = pd.DataFrame(GOOD, index=["a", "b"], columns=["b", "a"])
    with pytest.raises(ValueError, match=r"index \['a', 'b'\] and columns \['b', 'a'\]"):
        confusion_matrix_from_table(df)


@pytest.mark.parametrize(
    ("data", "reference", "match"),
    [
        ([0, 1, np.nan], [0, 1, 1], r"data: missing label \(NaN/None\) at position 2"),
        (["a", None, "b"], ["a", "b", "b"], r"data: missing label .* at position 1"),
        ([0, 1, 1], [0, 1], r"data has 3 labels and reference has 2"),
        ([0, 1, 2], [0, 1, 1], r"data has 3 levels \['0', '1', '2'\], more than the 2 levels"),
        ([5, 6], [0, 1], r"data levels \['5', '6'\] and reference levels \['0', '1'\] do not overlap"),
        ([0, 0, 0], [0, 0, 0], r"there must be at least 2 levels"),
    ],
)
def test_bad_labels(data, reference, match):
    with pytest.raises(ValueError, match=match):
        confusion_matrix(data, reference)


def test_data_label_outside_reference_levels():
    data = pd.Categorical(["a", "z", "a"], categories=["a", "z"])
    ref = pd.Categorical(["a", "b", "a"], categories=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"levels not found in reference .*'z' \(1 labels\)"):
        confusion_matrix(data, ref)


def test_empty_foreign_level_is_dropped_with_warning():
    data = pd.Categorical(["a", "b", "a"], categories=["a", "b", "z"])
    ref = pd.Categorical(["a", "b", "b"], categories=["a", "b", "c"])
    with pytest.warns(UserWarning, match=r"\['z'\] are not in reference but are empty"):
        cm = confusion_matrix(data, ref)
    assert cm.levels == ["a", "b", "c"]


def test_missing_prediction_level_refactors_with_warning():
    with pytest.warns(UserWarning, match=r"data levels \['0', '1'\] differ from reference"):
        cm = confusion_matrix([0, 1, 1], [0, 1, 2])
    assert cm.table.shape == (3, 3)


def test_same_levels_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        confusion_matrix([0, 1, 2], [2, 1, 0])


def test_wrong_label_container():
    with pytest.raises(TypeError, match=r"data: expected a 1-D array-like of labels"):
        confusion_matrix(np.zeros((2, 2)), [0, 1])
