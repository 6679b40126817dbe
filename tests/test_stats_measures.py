"""``parity stats`` for regression (``--pred``/``--obs`` numbers: postResample) and class
probabilities (``--prob``/``--obs``: caret's summary functions): the port's values and R's print,
``--json``/``--tidy``, bad files (exit 2), and ``--r`` against caret in R (rpy2), bit for bit.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from parity.cli import main
from parity.rules.compare import MeasureValues, compare_measures
from python_impl.caret import NA


@pytest.fixture()
def files(tmp_path):
    d = tmp_path
    # doubles, an integer-valued column, R's NA (missing) and NaN on the prediction side
    (d / "obs.csv").write_text("y\n1.5\n2\n3.25\n4\n-0.5\n7\n")
    (d / "pred.txt").write_text("1.4\n2.2\n3\n4.5\nNaN\n6.1\n")
    (d / "obs_na.csv").write_text("y\n1.5\nNA\n3.25\n4\n-0.5\n7\n")
    # two classes, a tie (0.5, 0.5: which.max takes the first), an NA observation
    (d / "prob2.csv").write_text("yes,no\n0.9,0.1\n0.2,0.8\n0.5,0.5\n0.3,0.7\n0.55,0.45\n0.1,0.9\n")
    (d / "cls2.txt").write_text("yes\nno\nno\nyes\nNA\nno\n")
    # three classes, integer labels, level 2 never predicted, a header not in sorted order
    (d / "prob3.csv").write_text("3,1,2\n0.7,0.2,0.1\n0.1,0.8,0.1\n0.5,0.2,0.3\n0.6,0.3,0.1\n"
                                 "0.3,0.3,0.4\n0.2,0.7,0.1\n")
    (d / "cls3.csv").write_text("label\n3\n1\n2\n3\n2\n1\n")
    return d


def _stats(*argv) -> list[str]:
    return ["stats", *map(str, argv)]


def test_regression_prints_as_r(files, capsys):
    assert main(_stats("--pred", files / "pred.txt", "--obs", files / "obs.csv")) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["RMSE", "Rsquared", "MAE"]
    assert len(lines) == 2  # NaN in pred: that pair is dropped, as caret drops it


def test_json_and_tidy(files, tmp_path, capsys):
    tidy = tmp_path / "tidy.csv"
    assert main(_stats("--pred", files / "pred.txt", "--obs", files / "obs_na.csv", "--json",
                       "--tidy", tidy)) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["function"] == "postResample" and out["n"] == 6
    assert out["values"]["RMSE"] == "NA" and out["values"]["MAE"] == "NA"  # NA in obs: R's NA
    assert isinstance(out["values"]["Rsquared"], float)
    rows = tidy.read_text().splitlines()
    assert rows[0] == "term,class,estimate,conf.low,conf.high,p.value"
    assert rows[1] == "RMSE,NA,NA,NA,NA,NA" and rows[2].startswith("Rsquared,NA,0.")
    assert main(_stats("--pred", files / "pred.txt", "--obs", files / "obs_na.csv", "--json",
                       "--json-null")) == 0
    assert json.loads(capsys.readouterr().out)["values"]["RMSE"] is None


def test_probabilities_choose_the_summary_by_level_count(files, capsys):
    assert main(_stats("--prob", files / "prob2.csv", "--obs", files / "cls2.txt")) == 0
    assert capsys.readouterr().out.split()[:3] == ["ROC", "Sens", "Spec"]
    assert main(_stats("--prob", files / "prob3.csv", "--obs", files / "cls3.csv", "--json")) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["function"] == "multiClassSummary" and out["levels"] == ["3", "1", "2"]
    assert list(out["values"])[:4] == ["logLoss", "AUC", "prAUC", "Accuracy"]


@pytest.mark.parametrize(("make", "argv", "message"), [
    (lambda d: (d / "o.csv").write_text("y\n1\nx\n3\n"), ("--pred", "pred3.txt", "--obs", "o.csv"),
     "--obs {d}/o.csv: line 3: 'x' is not a number"),
    (lambda d: (d / "p.csv").write_text("yes,no\n0.9,0.1\n0.2,abc\n"),
     ("--prob", "p.csv", "--obs", "c2.txt"), "--prob {d}/p.csv: line 3, column 'no': 'abc' is not a number"),
    (lambda d: (d / "p.csv").write_text("yes,no\n0.9,0.1\n0.2\n"),
     ("--prob", "p.csv", "--obs", "c2.txt"), "line 3 has 1 field(s); expected 2"),
    (lambda d: (d / "c.txt").write_text("yes\nmaybe\n"), ("--prob", "p2.csv", "--obs", "c.txt"),
     "--obs {d}/c.txt: line 2: label 'maybe' is not a level"),
    (lambda d: (d / "p.csv").write_text("yes,no\nNA,NA\n0.2,0.8\n"),
     ("--prob", "p.csv", "--obs", "c2.txt"), "line 2: every probability is NA"),
    (lambda d: (d / "p.csv").write_text("obs,no\n0.9,0.1\n0.2,0.8\n"),
     ("--prob", "p.csv", "--obs", "c2.txt"), "level(s) ['obs'] in the header"),
    (lambda d: None, ("--prob", "nothing.csv", "--obs", "c2.txt"), "nothing.csv: no such file"),
    (lambda d: (d / "o.txt").write_text("1\n2\n"), ("--pred", "pred3.txt", "--obs", "o.txt"),
     "has 3 values and --obs {d}/o.txt has 2"),
    (lambda d: None, ("--prob", "p2.csv", "--obs", "c2.txt", "--summary", "two_class", "--pred", "c3.txt"),
     "has 3 labels and --prob"),
    (lambda d: None, ("--pred", "pred3.txt", "--obs", "pred3.txt", "--summary", "pr"),
     "--summary pr needs --prob FILE"),
    (lambda d: None, ("--prob", "p2.csv"), "--prob needs --obs FILE"),
    (lambda d: None, ("--pred", "pred3.txt", "--obs", "pred3.txt", "--positive", "1"),
     "--positive: options of the confusion matrix"),
    (lambda d: (d / "p.csv").write_text("a,b,c\n0.2,0.3,0.5\n0.6,0.3,0.1\n"),
     ("--prob", "p.csv", "--obs", "c.txt", "--summary", "two_class"),
     "caret's twoClassSummary stops: Your outcome has 3 levels"),
])
def test_bad_input_exit_2(tmp_path, capsys, monkeypatch, make, argv, message):
    (tmp_path / "pred3.txt").write_text("1\n2\n3\n")
    (tmp_path / "p2.csv").write_text("yes,no\n0.9,0.1\n0.2,0.8\n")
    (tmp_path / "c2.txt").write_text("yes\nno\n")
    (tmp_path / "c3.txt").write_text("yes\nno\nno\n")
    (tmp_path / "c.txt").write_text("a\nb\n")
    make(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["stats", *[str(tmp_path / a) if (tmp_path / a).suffix else a for a in argv]]) == 2
    assert message.format(d=tmp_path) in capsys.readouterr().err


# --------------------------------------------------------------------------- live R


@pytest.mark.r
@pytest.mark.parametrize("argv", [
    ("--pred", "pred.txt", "--obs", "obs.csv"),
    ("--pred", "pred.txt", "--obs", "obs_na.csv"),
    ("--pred", "obs.csv", "--obs", "cls3.csv"),  # integers: R's integer vector
    ("--prob", "prob2.csv", "--obs", "cls2.txt"),
    ("--prob", "prob2.csv", "--obs", "cls2.txt", "--summary", "pr"),
    ("--prob", "prob2.csv", "--obs", "cls2.txt", "--summary", "mn_log_loss"),
    ("--prob", "prob2.csv", "--obs", "cls2.txt", "--pred", "cls2.txt", "--summary", "default"),
    ("--prob", "prob2.csv", "--obs", "cls2.txt", "--summary", "multi_class"),
    ("--prob", "prob3.csv", "--obs", "cls3.csv"),
])
def test_r_agrees_bit_for_bit(files, capsys, r_caret, argv):
    code = main(["stats", *[str(files / a) if "." in a else a for a in argv], "--r", "--json"])
    out = json.loads(capsys.readouterr().out)
    failed = [row for row in out["r_comparison"]["rows"] if not row["ok"]]
    assert code == 0 and not failed, failed
    # names, every value, R's warnings, the printed text
    assert out["r_comparison"]["compared"] == len(out["values"]) + 3


@pytest.mark.r
def test_r_warning_is_compared(tmp_path, capsys, r_caret):
    # obs constant on the complete pairs (NA is a second distinct value): cor() warns
    (tmp_path / "pred.txt").write_text("1\n2\n3\n")
    (tmp_path / "obs.txt").write_text("5\n5\nNA\n")
    code = main(_stats("--pred", tmp_path / "pred.txt", "--obs", tmp_path / "obs.txt", "--r", "--json"))
    captured = capsys.readouterr()
    rows = {row["name"]: row for row in json.loads(captured.out)["r_comparison"]["rows"]}
    assert code == 0 and rows["warnings"]["ok"], rows
    assert rows["warnings"]["r"] == ["the standard deviation is zero"]
    assert "warning: the standard deviation is zero" in captured.err


@pytest.mark.r
def test_a_different_port_value_fails(files, capsys, r_caret, monkeypatch):
    """The comparison's failure path: the port's result one ulp off, or NaN for R's NA."""
    from parity.presentation import stats_measures
    from parity.rules import rmeasures

    r = rmeasures.r_post_resample(np.array([1.4, 2.2, 3.0]), np.array([1.5, np.nan, 3.25]))
    assert r.names == ["RMSE", "Rsquared", "MAE"] and np.isnan(r.values[0])
    same = MeasureValues(r.function, list(r.names), r.values.copy(), r.warnings, r.text)
    assert all(row.ok for row in compare_measures(r, same))
    off = same.values.copy()
    off[1] = np.nextafter(off[1], 2.0)
    nan = same.values.copy()
    nan[0] = np.nan  # NaN where R has NA
    for values, failing in ((off, "Rsquared"), (nan, "RMSE")):
        rows = compare_measures(r, MeasureValues(r.function, list(r.names), values, r.warnings, r.text))
        assert [row.name for row in rows if not row.ok] == [failing]
    renamed = MeasureValues(r.function, ["RMSE", "Rsq", "MAE"], same.values, r.warnings, r.text)
    assert {row.name for row in compare_measures(r, renamed) if not row.ok} == {"names", "Rsquared"}
    warned = MeasureValues(r.function, list(r.names), same.values, ("a warning",), r.text)
    assert [row.name for row in compare_measures(r, warned) if not row.ok] == ["warnings"]

    real = stats_measures.port_values

    def perturbed(function, result, caught):
        got = real(function, result, caught)
        values = got.values.copy()
        values[0] = np.nextafter(values[0], np.inf)
        return MeasureValues(got.function, got.names, values, got.warnings, got.text)

    monkeypatch.setattr(stats_measures, "port_values", perturbed)
    code = main(_stats("--prob", files / "prob2.csv", "--obs", files / "cls2.txt", "--r"))
    out = capsys.readouterr().out
    assert code == 1 and "FAIL ROC" in out and "5/6 agree" in out


def test_na_marks_survive_the_port_values():
    from parity.presentation.stats_measures import port_values

    got = port_values("postResample", pd.Series([NA, np.nan, 0.5], index=["a", "b", "c"]), [])
    assert got.text.splitlines()[1].split() == ["NA", "NaN", "0.5"]
