"""The port against the tutorial's published figures (pinned), with no R involved."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TUTORIAL, TUTORIAL_TABLE

from parity.rules.compare import Tolerance, values_agree
from python_impl.caret.confusion import (
    BY_CLASS_NAMES,
    OVERALL_NAMES,
    confusion_matrix,
    confusion_matrix_from_table,
    is_na,
)


@pytest.fixture(scope="module")
def seed_cm():
    return confusion_matrix_from_table(TUTORIAL_TABLE)


def test_seed_overall_full_precision(seed_cm):
    o = seed_cm.overall
    assert list(o) == list(OVERALL_NAMES)
    assert o["Accuracy"] == 0.8906
    assert values_agree(0.878444444444444, o["Kappa"], Tolerance(rel=1e-14))
    assert values_agree(0.884318037692473, o["AccuracyLower"], Tolerance(rel=1e-14))
    assert values_agree(0.896653450574913, o["AccuracyUpper"], Tolerance(rel=1e-14))
    assert o["AccuracyNull"] == 0.1
    assert o["AccuracyPValue"] < 2.2e-16
    # Bowker's test: some pairs have n_ij + n_ji = 0, so 0/0 -> NaN (R's NaN, printed "NA")
    assert np.isnan(o["McnemarPValue"]) and not is_na(o["McnemarPValue"])


def test_seed_by_class_as_printed(seed_cm):
    bc = seed_cm.by_class
    assert list(bc.columns) == list(BY_CLASS_NAMES)
    assert list(bc.index) == [f"Class: {i}" for i in range(10)]
    for stat, printed in TUTORIAL.published['printed']['by_class'].items():
        expected = [float(v) for v in printed.split()]
        np.testing.assert_array_equal(bc[stat].round(4).to_numpy(), expected, err_msg=stat)


def test_seed_printed_text_is_r_text(seed_cm):
    expected = (Path(__file__).parent / "data" / "seed_confusion_matrix.txt").read_text()
    assert str(seed_cm) == expected.rstrip("\n")


def test_labels_path_equals_table_path(seed_cm):
    # Rebuild label vectors from the table: the tutorial's predictions and test labels.
    rows, cols = np.nonzero(TUTORIAL_TABLE)
    counts = TUTORIAL_TABLE[rows, cols]
    pred = np.repeat(rows, counts)
    ref = np.repeat(cols, counts)
    cm = confusion_matrix(pred, ref)
    pd.testing.assert_frame_equal(cm.table, seed_cm.table)
    assert str(cm) == str(seed_cm)


def test_to_dict_is_json_ready(seed_cm):
    import json

    d = json.loads(json.dumps(seed_cm.to_dict(), allow_nan=False))
    assert d["overall"]["McnemarPValue"] is None
    assert d["table"][0][6] == 134 and d["levels"] == [str(i) for i in range(10)]
    assert d["by_class"]["Class: 6"]["Sensitivity"] == 0.709


def test_two_class_positive_and_prevalence():
    cm = confusion_matrix_from_table([[5, 1], [2, 7]], labels=["yes", "no"])
    assert cm.positive == "yes" and isinstance(cm.by_class, pd.Series)
    assert cm.by_class["Sensitivity"] == 5 / 7
    cm_no = confusion_matrix_from_table([[5, 1], [2, 7]], labels=["yes", "no"], positive="no",
                                        prevalence=0.25)
    assert cm_no.positive == "no" and cm_no.by_class["Prevalence"] == 0.25
    assert cm_no.by_class["Sensitivity"] == 7 / 8


def test_na_where_caret_has_na():
    # class "b" is never in the reference: sensitivity's denominator is 0 -> NA (caret's ifelse)
    cm = confusion_matrix_from_table([[3, 0, 1], [1, 0, 0], [0, 0, 2]], labels=["a", "b", "c"])
    sens_b = cm.by_class.loc["Class: b", "Sensitivity"]
    assert is_na(sens_b)
    assert "NA" in str(cm).split("Sensitivity")[1].split("\n")[0]
