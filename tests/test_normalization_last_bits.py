"""A normalization that differs from R's only in its last bits is graded numeric, with its ULP
distance and the way to match R (``parity.rnum``); a wrong formula is not."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import TUTORIAL

from parity import rnum
from parity.checks.groups import LAST_BITS_ULPS, CheckList, check_normalization
from parity.config import AuditConfig
from parity.contract import RunWriter, read_run

RNG = np.random.default_rng(20261129)
#: measurements with a large offset: where summing order shows in the last bits
X = 1e4 + RNG.normal(size=(200, 4))


def _run(path, side, scaled):
    with RunWriter(path, side=side, settings={}) as w:
        w.normalization("train", scaled, save=True)
    return read_run(path)


def _checks(tmp_path, port_scaled):
    r = _run(tmp_path / "r", "r", rnum.scale(X).x)  # R's scale(), to the bit
    py = _run(tmp_path / "python", "python", port_scaled)
    c = CheckList(AuditConfig(TUTORIAL, "test", {}, parallel=False))
    check_normalization(c, r, py)
    return {k.name: k for k in c.items}


def test_numpy_scale_differs_in_the_last_bits_and_the_report_says_how_to_match_r(tmp_path):
    numpy_scaled = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    assert not np.array_equal(numpy_scaled, rnum.scale(X).x)  # the case matters
    checks = _checks(tmp_path, numpy_scaled)
    assert checks["normalization.train.pixels"].status == "fail"  # exact stays exact
    hint = checks["normalization.train.pixels.last_bits"]
    assert hint.status == "info" and not hint.required
    assert hint.difference["grade"] == "numeric"
    assert 1 <= hint.difference["ulps_of_largest"] <= LAST_BITS_ULPS
    assert "parity.rnum" in hint.reason and "rnum.scale" in hint.reason


def test_rnum_scale_in_the_port_passes_with_no_hint(tmp_path):
    checks = _checks(tmp_path, rnum.scale(X).x)
    assert checks["normalization.train.pixels"].status == "pass"
    assert checks["normalization.train.range"].status == "pass"
    assert not any(name.endswith(".last_bits") for name in checks)


@pytest.mark.parametrize("bug", ["ddof0", "no_center"])
def test_a_wrong_formula_gets_no_last_bits_grade(tmp_path, bug):
    wrong = {"ddof0": (X - X.mean(axis=0)) / X.std(axis=0),
             "no_center": X / X.std(axis=0, ddof=1)}[bug]
    checks = _checks(tmp_path, wrong)
    assert checks["normalization.train.pixels"].status == "fail"
    assert not any(name.endswith(".last_bits") for name in checks)
