"""The run-artifact contract keeps every bit, and its parts are checked: synthetic run
directories written by :class:`parity.contract.RunWriter` (no training), read by
:func:`parity.contract.read_run`, compared by :func:`parity.checks.build_checks`."""

from __future__ import annotations

import dataclasses
import json
import math

import jsonschema
import numpy as np
import pytest

from parity.checks import build_checks
from parity.compare import Tolerance
from parity.config import AuditConfig, load_spec
from parity.contract import RunWriter, read_run, schema
from python_impl.caret import NA, is_na

#: the values that lose bits in a 15-digit JSON writer, or lose NA from NaN, or the sign of zero
HARD = {"0.1 + 0.2": 0.1 + 0.2, "1/3": 1 / 3, "2^-1074": 2.0**-1074, "-0.0": -0.0, "NA": NA,
        "NaN": math.nan}


def same_bits(a, b) -> bool:
    return np.asarray(a, dtype=np.float64).tobytes() == np.asarray(b, dtype=np.float64).tobytes()


def write(path, side="python", settings=None, **parts):
    """A run directory with the given parts: each keyword names a RunWriter method and gives
    its positional and keyword arguments as (args, kwargs), or a callable taking the writer."""
    with RunWriter(path, side=side, settings=settings or {"seed": 1}) as w:
        for method, call in parts.items():
            if callable(call):
                call(w)
            else:
                args, kwargs = call
                getattr(w, method)(*args, **kwargs)
    jsonschema.validate(json.loads((path / "run.json").read_text()), schema())
    return read_run(path)


def config(*groups, tolerances=None):
    spec = dataclasses.replace(load_spec(), groups=groups, tolerances=tolerances or {})
    return dataclasses.replace(AuditConfig.resolve(spec, profile="smoke"), settings={"seed": 1})


def checks(cfg, r, py):
    return {c.name: c for c in build_checks(cfg, r, py, {}) if c.group != "grade"}


# --------------------------------------------------------------------------- every bit


@pytest.mark.parametrize("label", list(HARD))
def test_history_keeps_every_bit(tmp_path, label):
    value = HARD[label]
    rec = write(tmp_path / "run", history=([{"loss": [value, 1.0]}], {}))
    assert same_bits(rec.history["loss"][0], value)
    assert is_na(rec.history["loss"][0]) == (label == "NA")


@pytest.mark.parametrize("label", ["0.1 + 0.2", "1/3", "2^-1074", "-0.0"])
def test_normalization_keeps_every_bit(tmp_path, label):
    value = HARD[label]
    x = np.array([value, value])
    rec = write(tmp_path / "run", normalization=(["train", x], {}))
    got = rec.normalization["train"]
    assert got.exact and same_bits(got.min, value) and same_bits(got.max, value)
    assert "min" not in json.loads((tmp_path / "run" / "run.json").read_text())["normalization"]["train"]


def test_range_is_exact_and_reports_both_differences(tmp_path):
    x = np.array([0.1 + 0.2, 1 / 3])
    r = write(tmp_path / "r", side="r", normalization=(["train", x], {}))
    py = write(tmp_path / "py", normalization=(["train", np.nextafter(x, 1)], {}))
    got = checks(config("normalization"), r, py)["normalization.train.range"]
    assert got.status == "fail" and got.rule.startswith("exact")
    assert got.difference["abs"] > 0 and got.difference["rel"] == pytest.approx(2.2e-16, rel=0.5)


def test_range_honours_the_spec_tolerance(tmp_path):
    x = np.array([0.1 + 0.2, 1 / 3])
    r = write(tmp_path / "r", side="r", normalization=(["train", x], {}))
    py = write(tmp_path / "py", normalization=(["train", np.nextafter(x, 1)], {}))
    got = checks(config("normalization", tolerances={"normalization.*.range": Tolerance(rel=1e-15)}),
                 r, py)["normalization.train.range"]
    assert got.status == "pass" and "1e-15" in got.rule


def test_range_of_an_older_r_writer_is_compared_at_jsonlite_digits(tmp_path):
    """An R run that wrote min/max only in run.json (jsonlite, 15 digits): a bit-identical
    pair still passes, the rule says why, and a real difference still fails."""
    x = np.array([0.1 + 0.2, 1 / 3])
    r = write(tmp_path / "r", side="r", normalization=(["train", x], {}))
    meta = json.loads((r.path / "run.json").read_text())
    meta["normalization"]["train"].update(min=float(f"{x.min():.15g}"), max=float(f"{x.max():.15g}"),
                                          mean=0.3)
    meta["arrays"].pop("normalization.train.min_max_mean")
    (r.path / "run.json").write_text(json.dumps(meta))
    r = read_run(r.path)
    assert not r.normalization["train"].exact
    py = write(tmp_path / "py", normalization=(["train", x], {}))
    got = checks(config("normalization"), r, py)["normalization.train.range"]
    assert got.status == "pass" and "15 significant digits" in got.rule
    py2 = write(tmp_path / "py2", normalization=(["train", x * (1 + 1e-13)], {}))
    assert checks(config("normalization"), r, py2)["normalization.train.range"].status == "fail"
